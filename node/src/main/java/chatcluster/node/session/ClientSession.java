package chatcluster.node.session;


import chatcluster.node.auth.AuthRequest;
import chatcluster.node.auth.Principal;
import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelRegistry;
import chatcluster.node.hooks.ConnectionInfo;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ClientFrame;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.InvalidFrameException;
import chatcluster.node.transport.TextFrames;
import chatcluster.node.transport.WebSocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: its identity, its subscriptions, frame intake (size, rate, decoding) and
 * every write to it. Commands are carried out by {@link Commands}. Lives on the node's event loop.
 */
public final class ClientSession implements ChannelRegistry.Subscriber {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
  /** Frames a client may send while its credential is being checked; they run once it is in. */
  private static final int MAX_EARLY_FRAMES = 32;

  enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final NodeServices node;
  private final ServerWebSocket ws;
  private final String id;
  private final String remoteAddress;
  private final MultiMap headers;
  private final String userHint;
  private final String deviceHint;
  private final RateLimiter limiter;
  private final Commands commands;
  final Map<String, Subscription> subscriptions = new HashMap<>();
  /** REST relay calls of this connection in flight (bounded by api.maxPerConnection). */
  int apiCallsInFlight;
  private final ArrayDeque<String> early = new ArrayDeque<>();
  private Principal principal;
  private State state = State.AWAITING_AUTH;
  private boolean closing;
  private boolean opened;
  private int overLimit;
  private long lastSeen = System.nanoTime();
  private long authTimer = -1;

  public ClientSession(NodeServices node, ServerWebSocket ws, String id, String remoteAddress, MultiMap headers,
                       String userHint, String deviceHint) {
    this.node = node;
    this.ws = ws;
    this.id = id;
    this.remoteAddress = remoteAddress;
    this.headers = headers;
    this.userHint = userHint;
    this.deviceHint = deviceHint;
    this.limiter = new RateLimiter(node.config().rateLimit(), node.config().rateBurst(), System.nanoTime());
    this.commands = new Commands(node, this);
    node.sessions().add(this);
    ws.setWriteQueueMaxSize(node.config().sendQueueMax());
    ws.textMessageHandler(this::handleText);
    ws.binaryMessageHandler(b -> closeWith(CloseCode.BINARY_FRAME, "binary frames are not supported"));
    ws.pongHandler(b -> lastSeen = System.nanoTime());
    ws.exceptionHandler(e -> log.debug("session {}: connection error: {}", id, e.toString()));
    ws.closeHandler(v -> handleClosed());
  }

  public String id() {
    return id;
  }

  public String user() {
    return principal == null ? null : principal.user();
  }

  public String device() {
    return principal == null ? null : principal.device();
  }

  Principal principal() {
    return principal;
  }

  public boolean isOpen() {
    return state == State.OPEN && !closing;
  }

  public ConnectionInfo info() {
    return new ConnectionInfo(id, user(), device(), principal == null || principal.anonymous(), remoteAddress,
        node.nodeId());
  }

  // ------------------------------------------------------------------ authentication

  /** Waits for an auth frame; without one in {@code auth.timeout} the connection is closed with 4001. */
  public void awaitAuth() {
    authTimer = node.vertx().setTimer(node.config().authTimeout().toMillis(), t -> {
      authTimer = -1;
      if (state == State.AWAITING_AUTH) {
        closeWith(CloseCode.UNAUTHORIZED, "authentication timeout");
      }
    });
  }

  /** Checks a credential presented in the handshake (or none) and opens or closes the connection. */
  public void authenticate(String token) {
    authenticate(token, userHint, deviceHint, null);
  }

  private void authenticate(String token, String user, String device, Object replyId) {
    checkCredential(token, user, device).onComplete(ar -> {
      if (state == State.CLOSED || closing) {
        return;
      }
      if (ar.failed()) {
        log.debug("session {}: authentication refused: {}", id, ar.cause().getMessage());
        closeFor(ar.cause(), CloseCode.UNAUTHORIZED);
      } else {
        open(ar.result(), replyId);
      }
    });
  }

  /** Asks the Authenticator; one that throws instead of failing its Future counts as a refusal. */
  private Future<Principal> checkCredential(String token, String user, String device) {
    state = State.AUTHENTICATING;
    try {
      return node.authenticator().authenticate(new AuthRequest(id, token, user, device, remoteAddress, headers));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void open(Principal p, Object replyId) {
    String oldUser = user();
    String oldDevice = device();
    principal = p;
    node.sessions().index(this, oldUser, oldDevice);
    Future<Void> hooks = opened ? Future.succeededFuture() : node.hooks().connectionOpened(info());
    hooks.onComplete(ar -> {
      if (state == State.CLOSED || closing) {
        return;
      }
      if (ar.failed()) {
        closeFor(ar.cause(), CloseCode.INTERNAL);
        return;
      }
      if (opened && oldUser != null) {
        node.broker().connectionClosed(oldUser, oldDevice);
      }
      node.broker().connectionOpened(p.user(), p.device())
          .onFailure(e -> log.warn("session {}: route not registered: {}", id, e.toString()));
      opened = true;
      state = State.OPEN;
      log.debug("session {}: open as user {} device {}", id, p.user(), p.device());
      send(FrameCodec.welcome(id, node.nodeId(), p.user(), p.device(),
          node.config().pingInterval().toSeconds()));
      if (replyId != null) {
        send(FrameCodec.ack(replyId, new JsonObject().put("session", id).put("user", p.user())
            .put("device", p.device())));
      }
      while (!early.isEmpty() && state == State.OPEN && !closing) {
        handleText(early.poll());
      }
    });
  }

  private void handleAuthFrame(ClientFrame.Auth auth) {
    if (state == State.AWAITING_AUTH) {
      cancelAuthTimer();
      authenticate(auth.token(), auth.user() != null ? auth.user() : userHint,
          auth.device() != null ? auth.device() : deviceHint, auth.id());
    } else if (principal.anonymous() && subscriptions.isEmpty() && auth.token() != null) {
      // An anonymous connection may identify itself before it joins anything.
      checkCredential(auth.token(), auth.user() != null ? auth.user() : userHint,
          auth.device() != null ? auth.device() : deviceHint).onComplete(ar -> {
        if (state == State.CLOSED || closing) {
          return;
        }
        if (ar.failed()) {
          state = State.OPEN;
          replyError(auth.id(), ar.cause());
        } else {
          open(ar.result(), auth.id());
        }
      });
    } else {
      replyError(auth.id(), ChatException.badRequest("already authenticated"));
    }
  }

  // ------------------------------------------------------------------ intake

  private void handleText(String text) {
    lastSeen = System.nanoTime();
    if (state == State.CLOSED || closing) {
      return;
    }
    if (tooLarge(text)) {
      closeWith(CloseCode.TOO_LARGE, "message larger than " + node.config().maxMessageSize() + " bytes");
      return;
    }
    if (state == State.AUTHENTICATING) {
      if (early.size() < MAX_EARLY_FRAMES) {
        early.add(text);
      } else {
        send(FrameCodec.error(null, ErrorCode.RATE_LIMITED, "too many frames before the welcome"));
      }
      return;
    }
    ClientFrame frame;
    try {
      frame = FrameCodec.decode(text);
    } catch (InvalidFrameException e) {
      node.metrics().malformedFrames.increment();
      log.debug("session {}: malformed frame: {}", id, e.getMessage());
      if (admit(e.id())) {
        send(FrameCodec.error(e.id(), e.code(), e.getMessage()));
      }
      return;
    }
    if (!admit(frame.id())) {
      return;
    }
    if (frame instanceof ClientFrame.Auth auth) {
      handleAuthFrame(auth);
    } else if (state == State.AWAITING_AUTH) {
      send(FrameCodec.error(frame.id(), ErrorCode.UNAUTHORIZED,
          "authenticate first: send {\"type\":\"auth\",\"token\":…}"));
    } else {
      commands.dispatch(frame);
    }
  }

  private boolean tooLarge(String text) {
    int max = node.config().maxMessageSize();
    // A UTF-8 character takes at most 3 bytes per UTF-16 char: count bytes only when it could matter.
    return text.length() > max || (text.length() * 3L > max
        && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max);
  }

  /** Applies the rate limit; a client that keeps sending past its errors is closed with 4029. */
  private boolean admit(Object frameId) {
    if (limiter.tryAcquire(System.nanoTime())) {
      overLimit = 0;
      return true;
    }
    if (++overLimit > Math.max(node.config().rateBurst(), node.config().rateLimit())) {
      closeWith(CloseCode.RATE_LIMITED, "rate limit exceeded");
    } else {
      send(FrameCodec.error(frameId, ErrorCode.RATE_LIMITED, "rate limit of " + node.config().rateLimit()
          + " frames per second exceeded"));
    }
    return false;
  }

  // ------------------------------------------------------------------ delivery and writes

  @Override
  public void deliver(Delivery delivery) {
    if (closing || state == State.CLOSED) {
      return;
    }
    if (delivery.everyone()) {
      sendFanout(delivery.frame());
      return;
    }
    Subscription sub = subscriptions.get(delivery.channel());
    if (sub == null) {
      return;
    }
    if (!sub.live) {
      if (sub.pending.size() >= Subscription.MAX_PENDING) {
        closeSlowConsumer();
      } else {
        sub.pending.add(delivery);
      }
      return;
    }
    if (sub.accept(delivery)) {
      sendFanout(delivery.frame());
    }
  }

  /** Writes a frame shared with other receivers; a client whose send queue is full is closed with 4029. */
  void sendFanout(Buffer frame) {
    if (closing || state == State.CLOSED) {
      return;
    }
    if (!ws.isClosed() && ws.writeQueueFull()) {
      closeSlowConsumer();
      return;
    }
    node.metrics().framesDelivered.increment();
    write(frame);
  }

  /** Writes a frame meant for this client alone (replies). */
  void send(Buffer frame) {
    if (closing || state == State.CLOSED) {
      return;
    }
    write(frame);
  }

  /**
   * The one place that writes: the peer may have closed before our close handler ran, and a write
   * to one connection must never fail another connection's command.
   */
  private void write(Buffer frame) {
    if (ws.isClosed()) {
      return;
    }
    try {
      ws.writeFrame(TextFrames.of(frame));
    } catch (IllegalStateException closedMeanwhile) {
      log.debug("session {}: write after close dropped", id);
    }
  }

  private void closeSlowConsumer() {
    node.metrics().slowConsumersClosed.increment();
    log.info("session {}: closing slow consumer", id);
    closeWith(CloseCode.RATE_LIMITED, "slow consumer");
  }

  void replyError(Object replyId, Throwable cause) {
    if (cause instanceof ChatException ce) {
      send(FrameCodec.error(replyId, ce.code(), ce.getMessage()));
    } else {
      log.error("session {}: command failed", id, cause);
      send(FrameCodec.error(replyId, ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** Carries out a backend's subscribe or unsubscribe for this connection. */
  public void apply(chatcluster.node.broker.DeviceCommand command) {
    if (!isOpen()) {
      return;
    }
    if (command.subscribe()) {
      commands.serverSubscribe(command.channel());
    } else {
      commands.serverUnsubscribe(command.channel());
    }
  }

  // ------------------------------------------------------------------ heartbeat and closing

  /** Called by the node's heartbeat timer: pings the client, or closes it when it has been silent too long. */
  public void heartbeat(long nowNanos, long intervalNanos) {
    if (closing || state == State.CLOSED || ws.isClosed()) {
      return;
    }
    if (nowNanos - lastSeen > 2 * intervalNanos) {
      log.debug("session {}: no frame for two heartbeat intervals, closing", id);
      closeWith(CloseCode.NORMAL, "heartbeat timeout");
    } else {
      ws.writePing(Buffer.buffer());
    }
  }

  private void closeFor(Throwable cause, CloseCode fallback) {
    CloseCode code = fallback;
    if (cause instanceof ChatException ce) {
      code = switch (ce.code()) {
        case FORBIDDEN -> CloseCode.FORBIDDEN;
        case UNAUTHORIZED -> CloseCode.UNAUTHORIZED;
        default -> fallback;
      };
    } else if (fallback == CloseCode.INTERNAL) {
      log.error("session {}: connection.open hook failed", id, cause);
    }
    String reason = cause instanceof ChatException ? cause.getMessage() : code.name().toLowerCase();
    // Refused before the welcome: close a beat after the upgrade (see WebSocketEndpoint).
    close(code, reason, opened ? 0 : WebSocketEndpoint.REFUSAL_DELAY_MS);
  }

  /** Closes the connection with a contract close code; cleanup happens when the close completes. */
  public void closeWith(CloseCode code, String reason) {
    close(code, reason, 0);
  }

  /** Stops taking frames at once; sends the close now or after {@code delayMs}. */
  private void close(CloseCode code, String reason, long delayMs) {
    if (closing || state == State.CLOSED) {
      return;
    }
    closing = true;
    cancelAuthTimer();
    String shortReason = reason.length() > 120 ? reason.substring(0, 120) : reason;
    if (delayMs <= 0) {
      ws.close(code.code(), shortReason);
    } else {
      node.vertx().setTimer(delayMs, t -> ws.close(code.code(), shortReason));
    }
  }

  private void handleClosed() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasOpened = opened;
    state = State.CLOSED;
    cancelAuthTimer();
    for (Subscription sub : subscriptions.values()) {
      commands.release(sub);
    }
    subscriptions.clear();
    node.sessions().remove(this);
    if (wasOpened) {
      node.broker().connectionClosed(user(), device());
      node.hooks().connectionClosed(info())
          .onFailure(e -> log.warn("session {}: connection.close hook failed: {}", id, e.toString()));
    }
  }

  private void cancelAuthTimer() {
    if (authTimer >= 0) {
      node.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
  }
}
