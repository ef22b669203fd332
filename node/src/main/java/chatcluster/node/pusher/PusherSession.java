package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.core.Admission;
import chatcluster.node.core.SessionCore;
import chatcluster.node.core.SessionSubscriptions;
import chatcluster.node.core.Step;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.runtime.RateLimiter;
import chatcluster.node.transport.Connection;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pusher connection (protocol 7): subscriptions with Pusher's channel authorization
 * ({@link PusherAuthorization}), presence, client events and user sign-in.
 *
 * <p>The Pusher protocol's adapter over the {@link SessionCore}, as the native one is: the core runs
 * the connection's frames one after another (a client event sent right after a subscribe follows
 * it), applies the frame rate limit, holds a channel's events back until its
 * {@code subscription_succeeded} and releases everything on close. This class decodes Pusher's
 * frames and renders the core's decisions in Pusher's codes.
 *
 * <p><b>Errors.</b> A frame that is not a Pusher frame gets {@code pusher:error} (code null) and the
 * connection stays open. Refused subscriptions get {@code pusher:subscription_error} with an HTTP-like
 * status (401 bad signature, 403 not allowed, 503 the cluster path is down). Closes use Pusher's codes:
 * 4001 unknown app key, 4004 app over its connection quota, 4007 unsupported protocol, 4009
 * terminated by the server (4000-4099: do not reconnect), 4200 node draining (reconnect now).
 *
 * <p>Threading: confined to its connection's event loop.
 */
public final class PusherSession implements SessionCore.Protocol<PusherSubscription> {
  private static final Logger log = LoggerFactory.getLogger(PusherSession.class);
  /** Seconds of silence after which pusher-js sends pusher:ping (Pusher's value). */
  static final int ACTIVITY_TIMEOUT = 120;
  /** Client events per second per connection, as Pusher allows. */
  static final int CLIENT_EVENT_RATE = 10;
  /** Largest client event data, encoded (Pusher's limit). */
  static final int MAX_CLIENT_EVENT = 10 * 1024;

  private final PusherService service;
  private final PusherApp app;
  private final Connection connection;
  private final String socketId;
  private final SessionCore<PusherSubscription> core;
  private final SessionSubscriptions<PusherSubscription> subs;
  private final RateLimiter clientEvents = new RateLimiter(CLIENT_EVENT_RATE, CLIENT_EVENT_RATE, System.nanoTime());
  private String user;
  /** Receives the signed-in user's control channel (terminate_connections); null before sign-in. */
  private LoopChannels.Subscriber control;
  /** The signed-in user's online status and watchlist, when the app has watchlist events; else null. */
  private PusherWatchlist watchlist;
  private boolean counted;

  PusherSession(PusherLoop loop, PusherApp app, Connection connection, String socketId) {
    this.service = loop.service();
    this.app = app;
    this.connection = connection;
    this.socketId = socketId;
    var node = service.services();
    this.core = new SessionCore<>(node.config(), node.metrics(), connection, () -> true,
        e -> () -> log.error("pusher socket {}: frame failed", socketId, e), this);
    this.subs = core.subscriptions();
  }

  /**
   * Over the node's frame rate limit: a pusher:error at most once a second, and after
   * {@code rateLimitGrace} over it a close with 4301 (Pusher's "over a rate limit, reconnect with
   * backoff" range).
   */
  @Override
  public void overRate(Admission.Verdict verdict) {
    if (verdict == Admission.Verdict.CLOSE) {
      fail(4301, "Over the rate limit for too long");
    } else {
      connection.send(PusherFrames.error(null, "Over the rate limit: frames are being dropped"));
    }
  }

  @Override
  public void slowConsumer() {
    fail(4100, "Over capacity: too many events while subscribing");
  }

  /** Takes the app's connection slot (when capped), then says connection_established. */
  void start() {
    service.acquireConnection(app).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        counted = app.maxConnections() > 0;
        if (core.isClosed()) {
          releaseSlot();
          return;
        }
        connection.send(PusherFrames.connectionEstablished(socketId, ACTIVITY_TIMEOUT));
      } else if (ar.succeeded()) {
        fail(4004, "App is over its connection quota");
      } else {
        fail(4100, "Over capacity: the cluster cannot be reached, reconnect later");
      }
    });
  }

  /** Sends pusher:error with a connection-level code and closes with it. */
  void fail(int code, String message) {
    connection.send(PusherFrames.error(code, message));
    connection.close(code, message);
  }

  // ------------------------------------------------------------------ intake, one frame after another

  @Override
  public void received(String text) {
    core.enqueue(() -> Step.serial(handle(text).map(v -> NOTHING)));
  }

  private static final Runnable NOTHING = () -> { };

  private Future<Void> handle(String text) {
    PusherFrames.ClientMessage m;
    try {
      m = PusherFrames.decode(text);
    } catch (PusherFrames.InvalidFrame e) {
      service.services().metrics().malformedFrames.increment();
      connection.send(PusherFrames.error(null, "Invalid frame: " + e.getMessage()));
      return Future.succeededFuture();
    }
    switch (m.event()) {
      case "pusher:ping" -> connection.send(PusherFrames.pong());
      case "pusher:pong" -> { }
      case "pusher:subscribe" -> {
        return subscribe(m.dataObject());
      }
      case "pusher:unsubscribe" -> unsubscribe(m.dataObject());
      case "pusher:signin" -> {
        return signin(m.dataObject());
      }
      default -> {
        if (m.event().startsWith("client-")) {
          return clientEvent(m);
        }
        connection.send(PusherFrames.error(null, "Unsupported event: " + m.event()));
      }
    }
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ subscriptions

  private Future<Void> subscribe(JsonObject data) {
    String name = data == null ? null : data.getValue("channel") instanceof String s ? s : null;
    PusherChannel channel = PusherChannel.parse(name);
    if (channel == null) {
      connection.send(PusherFrames.error(null, "Invalid channel name: " + name));
      return Future.succeededFuture();
    }
    if (subs.contains(name)) {
      return Future.succeededFuture();
    }
    if (subs.size() >= service.services().config().security().maxSubscriptions()) {
      return refuse(name, 403, "LimitReached", "At most " + subs.size() + " channels per connection");
    }
    PusherAuthorization.Subscription grant = PusherAuthorization.subscribe(app, socketId, user, channel, data);
    if (!grant.granted()) {
      return refuse(name, grant.status(), grant.type(), grant.error());
    }
    String presenceUser = grant.presenceUser();
    PusherSubscription sub = new PusherSubscription(channel, presenceUser, socketId);
    subs.add(sub);
    Object info = grant.userInfo();
    Future<Void> joined = service.join(app, channel, sub);
    Future<JsonObject> presence = channel.kind() == PusherChannel.Kind.PRESENCE
        ? joined.compose(v -> service.enterPresence(app, channel, socketId, sub.userId, info))
        : joined.map(v -> null);
    Future<Buffer> cached = channel.cache() ? presence.compose(p -> service.lastCached(app, channel))
        : presence.map(p -> null);
    return cached.transform(ar -> {
      if (!sub.isCurrent()) {
        return Future.succeededFuture(); // unsubscribed or closed meanwhile: released already
      }
      if (ar.failed()) {
        log.debug("pusher socket {}: subscribe to {} failed: {}", socketId, name, ar.cause().toString());
        core.release(sub);
        return refuse(name, 503, "UnavailableError", "The cluster cannot be reached, try again later");
      }
      connection.send(PusherFrames.subscriptionSucceeded(name, presence.result()));
      if (channel.cache()) {
        Buffer last = ar.result() == null ? null : PusherFrames.forSocket(ar.result(), socketId);
        connection.send(last != null ? last : PusherFrames.cacheMiss(name));
        if (ar.result() == null) {
          service.node().cacheMiss(app, name);
        }
      }
      subs.goLive(sub);
      return Future.<Void>succeededFuture();
    });
  }

  private Future<Void> refuse(String channel, int status, String type, String error) {
    connection.send(PusherFrames.subscriptionError(channel, status, type, error));
    return Future.succeededFuture();
  }

  private void unsubscribe(JsonObject data) {
    String name = data == null ? null : data.getString("channel");
    PusherSubscription sub = name == null ? null : subs.get(name);
    if (sub != null) {
      core.release(sub);
    }
  }

  @Override
  public Future<Void> release(PusherSubscription sub) {
    service.leave(app, sub.channel, sub);
    if (sub.userId != null) {
      service.leavePresence(app, sub.channel, socketId, sub.userId);
    }
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ client events and sign-in

  private Future<Void> clientEvent(PusherFrames.ClientMessage m) {
    PusherSubscription sub = m.channel() == null ? null : subs.get(m.channel());
    if (!app.clientEvents()) {
      return error(null, "To send client events, enable them for the app");
    } else if (sub == null || !sub.isLive()) {
      return error(null, "Client event on a channel not subscribed to: " + m.channel());
    } else if (!sub.channel.allowsClientEvents()) {
      return error(null, "Client events are allowed on private and presence channels only");
    } else if (!clientEvents.tryAcquire(System.nanoTime())) {
      return error(4301, "Client event rejected due to rate limit");
    }
    String encoded = Json.encode(m.data());
    if (encoded.length() > MAX_CLIENT_EVENT) {
      return error(null, "Client event data larger than " + MAX_CLIENT_EVENT + " bytes");
    }
    return service.clientEvent(app, sub.channel, m.event(), m.data(), encoded, socketId, sub.userId)
        .transform(ar -> ar.failed() ? error(null, "Client event not sent: the cluster cannot be reached")
            : Future.succeededFuture());
  }

  private Future<Void> signin(JsonObject data) {
    PusherAuthorization.SignIn signin = PusherAuthorization.signin(app, socketId, data);
    if (signin.error() != null) {
      return error(4009, signin.error());
    } else if (user != null && !user.equals(signin.user())) {
      return error(4009, "Already signed in as another user");
    }
    Future<Void> watched = Future.succeededFuture();
    if (user == null) {
      user = signin.user();
      control = d -> fail(4009, "Connection terminated by the server");
      watched = service.watchUser(app, user, control).recover(e -> Future.succeededFuture());
    }
    boolean first = watchlist == null && app.watchlistEvents();
    return watched.compose(v -> {
      connection.send(PusherFrames.signinSuccess(signin.userData()));
      if (!first || core.isClosed()) {
        return Future.succeededFuture();
      }
      if (signin.watchlistCut()) {
        connection.send(PusherFrames.error(4302, "Watchlist limit exceeded: only the first "
            + PusherAuthorization.MAX_WATCHLIST + " user ids are accepted"));
      }
      watchlist = new PusherWatchlist(service, app, connection, socketId, user);
      return watchlist.start(signin.watchlist());
    });
  }

  /** Sends a pusher:error and goes on (the frame is done). */
  private Future<Void> error(Integer code, String message) {
    connection.send(PusherFrames.error(code, message));
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ closing

  @Override
  public void closed() {
    if (control != null) {
      service.unwatchUser(app, user, control);
    }
    if (watchlist != null) {
      watchlist.stop();
    }
    releaseSlot();
  }

  private void releaseSlot() {
    if (counted) {
      counted = false;
      service.releaseConnection(app);
    }
  }
}
