package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.channel.Delivery;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.core.Admission;
import chatcluster.node.runtime.RateLimiter;
import chatcluster.node.core.Intake;
import chatcluster.node.core.Step;
import chatcluster.node.transport.Connection;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pusher connection (protocol 7): subscriptions with Pusher's channel authorization, presence,
 * client events, user sign-in, and the delivery of its channels' frames (the same bytes every
 * subscriber on the loop gets, or a slice of them for enveloped frames, see {@link PusherFrames}).
 *
 * <p><b>Order.</b> The connection's frames are handled one after another through the shared
 * {@link Intake} (bounded as native commands are): each starts once the previous one has taken effect,
 * so a client event sent right after a subscribe follows it. The frame rate limit is the shared
 * {@link Admission}. Frames a
 * channel delivers before its {@code subscription_succeeded} wait (bounded) and follow it.
 *
 * <p><b>Errors.</b> A frame that is not a Pusher frame gets {@code pusher:error} (code null) and the
 * connection stays open. Refused subscriptions get {@code pusher:subscription_error} with an HTTP-like
 * status (401 bad signature, 403 not allowed, 503 the cluster path is down). Closes use Pusher's codes:
 * 4001 unknown app key, 4004 app over its connection quota, 4007 unsupported protocol, 4009
 * terminated by the server (4000-4099: do not reconnect), 4200 node draining (reconnect now).
 *
 * <p>Threading: confined to its connection's event loop.
 */
public final class PusherSession implements LoopChannels.Subscriber {
  private static final Logger log = LoggerFactory.getLogger(PusherSession.class);
  /** Seconds of silence after which pusher-js sends pusher:ping (Pusher's value). */
  static final int ACTIVITY_TIMEOUT = 120;
  /** Client events per second per connection, as Pusher allows. */
  static final int CLIENT_EVENT_RATE = 10;
  /** Deliveries a subscription being set up may hold. */
  static final int MAX_PENDING = 1000;
  /** Largest client event data, encoded (Pusher's limit). */
  static final int MAX_CLIENT_EVENT = 10 * 1024;

  private static final class Sub {
    final PusherChannel channel;
    final String userId;
    boolean live;
    final ArrayDeque<Buffer> pending = new ArrayDeque<>(1);

    Sub(PusherChannel channel, String userId) {
      this.channel = channel;
      this.userId = userId;
    }
  }

  private final PusherService service;
  private final PusherApp app;
  private final Connection connection;
  private final String socketId;
  private final Map<String, Sub> subs = new HashMap<>();
  private final RateLimiter clientEvents = new RateLimiter(CLIENT_EVENT_RATE, CLIENT_EVENT_RATE, System.nanoTime());
  /** The node's per-connection frame rate ({@code rateLimit}, {@code rateBurst}), as native connections have it. */
  private final Admission admission;
  /** Frames one after another, bounded, as native commands are. */
  private final Intake intake;
  private String user;
  private boolean counted;
  private boolean closed;

  PusherSession(PusherLoop loop, PusherApp app, Connection connection, String socketId) {
    this.service = loop.service();
    this.app = app;
    this.connection = connection;
    this.socketId = socketId;
    var config = service.services().config();
    this.admission = new Admission(config.rateLimit(), config.rateBurst(), config.security().rateLimitGrace(),
        service.services().metrics());
    this.intake = new Intake(connection::pause, connection::resume, () -> !closed,
        e -> () -> log.error("pusher socket {}: frame failed", socketId, e));
  }

  /**
   * The node's frame rate limit, before anything is decoded: a frame over it is dropped, the client
   * told so with a pusher:error at most once a second, and closed with 4301 after {@code rateLimitGrace}
   * over it (Pusher's "over a rate limit, reconnect with backoff" range).
   */
  private boolean admit() {
    switch (admission.admit()) {
      case ADMIT -> {
        return true;
      }
      case CLOSE -> fail(4301, "Over the rate limit for too long");
      case DROP_AND_TELL -> connection.send(PusherFrames.error(null, "Over the rate limit: frames are being dropped"));
      case DROP -> { }
    }
    return false;
  }

  String socketId() {
    return socketId;
  }

  /** Takes the app's connection slot (when capped), then says connection_established. */
  void start() {
    connection.listen(new Connection.Listener() {
      @Override
      public boolean admit() {
        return PusherSession.this.admit();
      }

      @Override
      public void handleText(String text) {
        enqueue(text);
      }

      @Override
      public void handleClosed() {
        PusherSession.this.handleClosed();
      }
    }, service.services().config().maxMessageSize());
    Future<Boolean> slot = app.maxConnections() == 0 ? Future.succeededFuture(true)
        : service.services().cluster().tryAcquire(connectionCounter(), app.maxConnections());
    slot.onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        counted = app.maxConnections() > 0;
        if (closed) {
          release();
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

  private String connectionCounter() {
    return "pusher-conns/" + app.id();
  }

  /** Sends pusher:error with a connection-level code and closes with it. */
  void fail(int code, String message) {
    connection.send(PusherFrames.error(code, message));
    connection.close(code, message);
  }

  // ------------------------------------------------------------------ intake, one frame after another

  private void enqueue(String text) {
    if (!closed) {
      intake.enqueue(() -> Step.serial(handle(text).map(v -> NOTHING)));
    }
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
    if (subs.containsKey(name)) {
      return Future.succeededFuture();
    }
    if (subs.size() >= service.services().config().security().maxSubscriptions()) {
      return refuse(name, 403, "LimitReached", "At most " + subs.size() + " channels per connection");
    }
    String presenceUser = null;
    Object userInfo = null;
    if (channel.kind() == PusherChannel.Kind.USER) {
      if (!channel.userOfUserChannel().equals(user)) {
        return refuse(name, 403, "AuthError", "Sign in as this user first");
      }
    } else if (channel.needsAuth()) {
      String channelData = channel.kind() == PusherChannel.Kind.PRESENCE ? data.getString("channel_data") : null;
      Object auth = data.getValue("auth");
      if (!(auth instanceof String a) || !PusherSigning.channelAuthValid(app, socketId, name, channelData, a)) {
        return refuse(name, 401, "AuthError", "Invalid signature for channel " + name);
      }
      if (channel.kind() == PusherChannel.Kind.PRESENCE) {
        JsonObject cd;
        try {
          cd = channelData == null ? null : new JsonObject(channelData);
        } catch (DecodeException e) {
          cd = null;
        }
        Object id = cd == null ? null : cd.getValue("user_id");
        if (!(id instanceof String) && !(id instanceof Number)) {
          return refuse(name, 400, "AuthError", "channel_data must have a user_id");
        }
        presenceUser = String.valueOf(id);
        userInfo = cd.getValue("user_info");
      }
    }
    Sub sub = new Sub(channel, presenceUser);
    subs.put(name, sub);
    Object info = userInfo;
    Future<Void> joined = service.join(app, channel, this);
    Future<JsonObject> presence = channel.kind() == PusherChannel.Kind.PRESENCE
        ? joined.compose(v -> service.enterPresence(app, channel, socketId, sub.userId, info))
        : joined.map(v -> null);
    Future<Buffer> cached = channel.cache() ? presence.compose(p -> service.lastCached(app, channel))
        : presence.map(p -> null);
    return cached.transform(ar -> {
      if (subs.get(name) != sub) {
        return Future.succeededFuture(); // unsubscribed or closed meanwhile: released already
      }
      if (ar.failed()) {
        log.debug("pusher socket {}: subscribe to {} failed: {}", socketId, name, ar.cause().toString());
        release(sub);
        subs.remove(name);
        return refuse(name, 503, "UnavailableError", "The cluster cannot be reached, try again later");
      }
      connection.send(PusherFrames.subscriptionSucceeded(name, presence.result()));
      if (channel.cache()) {
        Buffer last = ar.result() == null ? null : PusherFrames.forSocket(ar.result(), socketId);
        connection.send(last != null ? last : PusherFrames.cacheMiss(name));
      }
      sub.live = true;
      while (!sub.pending.isEmpty()) {
        connection.writeShared(sub.pending.poll());
      }
      return Future.<Void>succeededFuture();
    });
  }

  private Future<Void> refuse(String channel, int status, String type, String error) {
    connection.send(PusherFrames.subscriptionError(channel, status, type, error));
    return Future.succeededFuture();
  }

  private void unsubscribe(JsonObject data) {
    String name = data == null ? null : data.getString("channel");
    Sub sub = name == null ? null : subs.remove(name);
    if (sub != null) {
      release(sub);
    }
  }

  private void release(Sub sub) {
    service.leave(app, sub.channel, this);
    if (sub.userId != null) {
      service.leavePresence(app, sub.channel, socketId, sub.userId);
    }
  }

  // ------------------------------------------------------------------ client events and sign-in

  private Future<Void> clientEvent(PusherFrames.ClientMessage m) {
    Sub sub = m.channel() == null ? null : subs.get(m.channel());
    if (!app.clientEvents()) {
      connection.send(PusherFrames.error(null, "To send client events, enable them for the app"));
    } else if (sub == null || !sub.live) {
      connection.send(PusherFrames.error(null, "Client event on a channel not subscribed to: " + m.channel()));
    } else if (!sub.channel.allowsClientEvents()) {
      connection.send(PusherFrames.error(null, "Client events are allowed on private and presence channels only"));
    } else if (!clientEvents.tryAcquire(System.nanoTime())) {
      connection.send(PusherFrames.error(4301, "Client event rejected due to rate limit"));
    } else {
      String encoded = Json.encode(m.data());
      if (encoded.length() > MAX_CLIENT_EVENT) {
        connection.send(PusherFrames.error(null, "Client event data larger than " + MAX_CLIENT_EVENT + " bytes"));
        return Future.succeededFuture();
      }
      return service.publish(app, sub.channel, m.event(), m.data(), socketId, sub.userId).transform(ar -> {
        if (ar.failed()) {
          connection.send(PusherFrames.error(null, "Client event not sent: the cluster cannot be reached"));
        } else {
          JsonObject hook = new JsonObject().put("name", "client_event").put("channel", m.channel())
              .put("event", m.event()).put("data", m.data() instanceof String s ? s : encoded)
              .put("socket_id", socketId);
          if (sub.userId != null) {
            hook.put("user_id", sub.userId);
          }
          service.node().webhook(app, hook);
        }
        return Future.<Void>succeededFuture();
      });
    }
    return Future.succeededFuture();
  }

  private Future<Void> signin(JsonObject data) {
    String auth = data == null ? null : data.getString("auth");
    String userData = data == null ? null : data.getString("user_data");
    if (userData == null || !PusherSigning.userAuthValid(app, socketId, userData, auth)) {
      connection.send(PusherFrames.error(4009, "Invalid signature for pusher:signin"));
      return Future.succeededFuture();
    }
    Object id;
    try {
      id = new JsonObject(userData).getValue("id");
    } catch (DecodeException e) {
      id = null;
    }
    if (!(id instanceof String) && !(id instanceof Number)) {
      connection.send(PusherFrames.error(4009, "user_data must have an id"));
      return Future.succeededFuture();
    }
    String signedIn = String.valueOf(id);
    if (user != null && !user.equals(signedIn)) {
      connection.send(PusherFrames.error(4009, "Already signed in as another user"));
      return Future.succeededFuture();
    }
    if (user == null) {
      user = signedIn;
      return service.watchUser(app, user, this).transform(ar -> {
        connection.send(PusherFrames.signinSuccess(userData));
        return Future.<Void>succeededFuture();
      });
    }
    connection.send(PusherFrames.signinSuccess(userData));
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ delivery

  @Override
  public void deliver(Delivery delivery) {
    if (closed) {
      return;
    }
    String name = PusherChannel.nameOf(app.id(), delivery.channel());
    if (name == null) {
      if (user != null && delivery.channel().equals(PusherChannel.userControl(app.id(), user))) {
        fail(4009, "Connection terminated by the server");
      }
      return;
    }
    Sub sub = subs.get(name);
    Buffer frame = sub == null ? null : PusherFrames.forSocket(delivery.frame(), socketId);
    if (frame == null) {
      return;
    }
    if (sub.live) {
      // The hub's whole frame only when this socket gets the delivery as it is (no exclusion prefix).
      connection.writeShared(frame, frame == delivery.frame() ? delivery.wire() : null);
    } else if (sub.pending.size() < MAX_PENDING) {
      sub.pending.add(frame);
    } else {
      fail(4100, "Over capacity: too many events while subscribing");
    }
  }

  // ------------------------------------------------------------------ closing

  private void handleClosed() {
    if (closed) {
      return;
    }
    closed = true;
    intake.clear();
    for (Sub sub : List.copyOf(subs.values())) {
      release(sub);
    }
    subs.clear();
    if (user != null) {
      service.unwatchUser(app, user, this);
    }
    release();
  }

  private void release() {
    if (counted) {
      counted = false;
      service.services().cluster().release(connectionCounter());
    }
  }
}
