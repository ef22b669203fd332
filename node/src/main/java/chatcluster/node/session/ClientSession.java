package chatcluster.node.session;

import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
import chatcluster.node.auth.AuthRequest;
import chatcluster.node.auth.Principal;
import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.hooks.ConnectionInfo;
import chatcluster.node.hub.LoopRecipients;
import chatcluster.node.hub.Recipient;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ClientFrame;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.FrameLog;
import chatcluster.node.protocol.InvalidFrameException;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.core.Admission;
import chatcluster.node.core.Intake;
import chatcluster.node.core.Step;
import chatcluster.node.transport.Connection;
import chatcluster.node.transport.Handshake;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: who it is (the authentication state machine), what it may send (size and
 * rate limits, decoding) and the order its commands run in. Writes and closes go through its
 * {@link Connection}; subscriptions are kept in {@link Subscriptions}; {@link Commands} carries the
 * commands out.
 *
 * <p><b>Order.</b> Commands run in order through the shared {@link Intake} (as the Pusher adapter's
 * do): each starts once the previous one has taken effect, answers are written in command order, a
 * burst of publishes is pipelined, and the queue is bounded (then the connection stops reading). The
 * frame rate limit is the shared {@link Admission}.
 *
 * <p>Threading: confined to its connection's event loop.
 */
public final class ClientSession implements Recipient {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
  /** Frames a client may send while its credential is being checked; they run once it is in. */
  private static final int MAX_EARLY_FRAMES = 32;

  enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final NodeServices node;
  private final LoopRecipients recipients;
  private final Connection connection;
  private final Handshake request;
  private final Admission admission;
  private final Intake intake;
  private final Commands commands;
  final Subscriptions subscriptions;
  /** REST relay calls of this connection in flight (bounded by api.maxPerConnection). */
  int apiCallsInFlight;
  // Starts small (it grows on demand): an idle connection holds it for its whole life.
  private final ArrayDeque<String> early = new ArrayDeque<>(1);
  private Principal principal;
  private State state = State.AWAITING_AUTH;
  private boolean opened;
  private long authTimer = -1;

  public ClientSession(LoopServices loop, Connection connection, Handshake request) {
    this.node = loop.node();
    this.recipients = loop.sessions();
    this.connection = connection;
    this.request = request;
    this.admission = new Admission(node.config().rateLimit(), node.config().rateBurst(),
        node.config().security().rateLimitGrace(), node.metrics());
    this.intake = new Intake(connection::pause, connection::resume, () -> state == State.OPEN,
        e -> () -> replyError(null, e));
    this.subscriptions = new Subscriptions(connection);
    this.commands = new Commands(loop, this);
    recipients.add(this);
    connection.listen(new Connection.Listener() {
      @Override
      public boolean admit() {
        return ClientSession.this.admit();
      }

      @Override
      public void handleText(String text) {
        ClientSession.this.handleText(text);
      }

      @Override
      public void handleClosed() {
        ClientSession.this.handleClosed();
      }
    }, node.config().maxMessageSize());
  }

  /** Authenticates with the handshake's credential, or waits for an auth frame when it had none and auth is required. */
  public void start() {
    if (request.token() == null && node.config().authEnabled()) {
      awaitAuth();
    } else {
      authenticate(request.token(), request.user(), request.device(), null);
    }
  }

  @Override
  public String id() {
    return connection.id();
  }

  @Override
  public String user() {
    return principal == null ? null : principal.user();
  }

  @Override
  public String device() {
    return principal == null ? null : principal.device();
  }

  Principal principal() {
    return principal;
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN && connection.isOpen();
  }

  public ConnectionInfo info() {
    return new ConnectionInfo(id(), user(), device(), principal == null || principal.anonymous(),
        connection.remoteAddress(), node.nodeId());
  }

  // ------------------------------------------------------------------ authentication

  /** Waits for an auth frame; without one in {@code auth.timeout} the connection is closed with 4001. */
  private void awaitAuth() {
    authTimer = node.vertx().setTimer(node.config().authTimeout().toMillis(), t -> {
      authTimer = -1;
      if (state == State.AWAITING_AUTH) {
        connection.close(CloseCode.UNAUTHORIZED, "authentication timeout");
      }
    });
  }

  private void authenticate(String token, String user, String device, Object replyId) {
    state = State.AUTHENTICATING;
    checkCredential(token, user, device).onComplete(ar -> {
      if (!connection.isOpen()) {
        return;
      }
      if (ar.failed()) {
        log.debug("session {}: authentication refused: {}", id(), ar.cause().getMessage());
        closeFor(ar.cause(), CloseCode.UNAUTHORIZED);
      } else {
        open(ar.result(), replyId).onComplete(x -> {
          while (!early.isEmpty() && isOpen()) {
            handleText(early.poll());
          }
        });
      }
    });
  }

  /**
   * Asks the Authenticator; one that throws instead of failing its Future counts as a refusal. A
   * pluggable one may complete on a thread of its own: the session goes on on its loop.
   */
  private Future<Principal> checkCredential(String token, String user, String device) {
    try {
      return Contexts.onCaller(node.authenticator().authenticate(new AuthRequest(id(), token, user, device,
          connection.remoteAddress(), request.headers())));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Takes the principal, runs the connection.open hook once, registers routes, welcomes. */
  private Future<Void> open(Principal p, Object replyId) {
    String oldUser = user();
    String oldDevice = device();
    principal = p;
    recipients.index(this, oldUser, oldDevice);
    Future<Void> hooks = opened ? Future.succeededFuture() : node.hooks().connectionOpened(info());
    return hooks.transform(ar -> {
      if (!connection.isOpen()) {
        return Future.succeededFuture();
      }
      if (ar.failed()) {
        closeFor(ar.cause(), CloseCode.INTERNAL);
        return Future.succeededFuture();
      }
      if (opened && oldUser != null) {
        node.broker().connectionClosed(oldUser, oldDevice);
      }
      opened = true;
      // Welcomed once routable: a direct send right after the welcome must find this connection.
      return node.broker().connectionOpened(p.user(), p.device())
          .onFailure(e -> log.warn("session {}: route not registered: {}", id(), e.toString()))
          .<Void>mapEmpty().recover(e -> Future.succeededFuture())
          .onSuccess(v -> {
            if (!connection.isOpen()) {
              return;
            }
            state = State.OPEN;
            log.debug("session {}: open as user {} device {}", id(), p.user(), p.device());
            send(FrameCodec.welcome(id(), node.nodeId(), p.user(), p.device(),
                node.config().pingInterval().toSeconds()));
            if (replyId != null) {
              send(FrameCodec.ack(replyId, new JsonObject().put("session", id()).put("user", p.user())
                  .put("device", p.device())));
            }
          });
    });
  }

  /** An auth frame on an open connection: an anonymous one may identify itself before it joins anything. */
  private Step reauthenticate(ClientFrame.Auth auth) {
    if (!principal.anonymous() || !subscriptions.isEmpty() || auth.token() == null) {
      return Step.done(() -> replyError(auth.id(), ChatException.badRequest("already authenticated")));
    }
    Future<Principal> checked = checkCredential(auth.token(), auth.user() != null ? auth.user() : request.user(),
        auth.device() != null ? auth.device() : request.device());
    Future<Runnable> answer = checked.transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(() -> replyError(auth.id(), ar.cause()));
      }
      return open(ar.result(), null).map(v -> () -> send(FrameCodec.ack(auth.id(), new JsonObject()
          .put("session", id()).put("user", user()).put("device", device()))));
    });
    return Step.serial(answer);
  }

  // ------------------------------------------------------------------ intake

  private void handleText(String text) {
    if (state == State.CLOSED || !connection.isOpen()) {
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
      log.debug("session {}: malformed frame: {}", id(), e.getMessage());
      intake.enqueue(() -> Step.done(() -> send(FrameCodec.error(e.id(), e.code(), e.getMessage()))));
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug("session {}: in {}", id(), FrameLog.masked(text));
    }
    if (frame instanceof ClientFrame.Auth auth) {
      if (state == State.AWAITING_AUTH) {
        cancelAuthTimer();
        authenticate(auth.token(), auth.user() != null ? auth.user() : request.user(),
            auth.device() != null ? auth.device() : request.device(), auth.id());
      } else {
        intake.enqueue(() -> reauthenticate(auth));
      }
    } else if (state == State.AWAITING_AUTH) {
      send(FrameCodec.error(frame.id(), ErrorCode.UNAUTHORIZED,
          "authenticate first: send {\"type\":\"auth\",\"token\":…}"));
    } else {
      intake.enqueue(() -> commands.dispatch(frame));
    }
  }

  /**
   * The frame rate limit, before anything is decoded: a frame over the rate is dropped, and the client
   * told so at most once a second ({@code rate_limited}, id null: the dropped frames get no answer of
   * their own). A client that stays over its rate for {@code rateLimitGrace} is closed with 4029.
   */
  private boolean admit() {
    switch (admission.admit()) {
      case ADMIT -> {
        return true;
      }
      case CLOSE -> {
        log.info("session {}: over its rate limit for {} s, closing", id(),
            node.config().security().rateLimitGrace().toSeconds());
        connection.close(CloseCode.RATE_LIMITED, "rate limit exceeded");
      }
      case DROP_AND_TELL -> send(FrameCodec.error(null, ErrorCode.RATE_LIMITED, "over the rate limit of "
          + node.config().rateLimit() + " frames per second: frames are being dropped"));
      case DROP -> { }
    }
    return false;
  }

  // ------------------------------------------------------------------ writes

  /** Writes a frame meant for this client alone (replies). */
  void send(Buffer frame) {
    connection.send(frame);
  }

  /** Writes a frame shared with other receivers (recovered messages, broadcasts, direct frames). */
  public void sendShared(Buffer frame) {
    sendShared(frame, null);
  }

  /** Writes a shared frame, as a whole WebSocket frame when {@code wire} is given (see {@code WireFrame}). */
  @Override
  public void sendShared(Buffer frame, io.netty.buffer.ByteBuf wire) {
    if (state == State.OPEN) {
      connection.writeShared(frame, wire);
    }
  }

  void replyError(Object replyId, Throwable cause) {
    if (cause instanceof ChatException ce) {
      send(FrameCodec.error(replyId, ce.code(), ce.getMessage()));
    } else {
      log.error("session {}: command failed", id(), cause);
      send(FrameCodec.error(replyId, ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** Carries out a backend's subscribe or unsubscribe for this connection, in turn with its own commands. */
  @Override
  public void apply(DeviceCommand command) {
    if (isOpen()) {
      intake.enqueue(() -> command.subscribe() ? commands.serverSubscribe(command.channel())
          : commands.serverUnsubscribe(command.channel()));
    }
  }

  /** Writes this connection's route and presence entries again, after the cluster took its node for dead. */
  @Override
  public void rejoin() {
    if (isOpen()) {
      node.broker().connectionOpened(user(), device());
      commands.enterPresenceAgain();
    }
  }

  // ------------------------------------------------------------------ closing

  /** Closes with a contract close code; cleanup happens when the close completes. */
  public void closeWith(CloseCode code, String reason) {
    cancelAuthTimer();
    connection.close(code, reason);
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
      log.error("session {}: connection.open hook failed", id(), cause);
    }
    String reason = cause instanceof ChatException ? cause.getMessage() : code.name().toLowerCase();
    cancelAuthTimer();
    if (opened) {
      connection.close(code, reason);
    } else {
      connection.refuse(code, reason);
    }
  }

  private void handleClosed() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasOpened = opened;
    state = State.CLOSED;
    cancelAuthTimer();
    intake.clear();
    for (Subscription sub : subscriptions.removeAll()) {
      commands.release(sub);
    }
    recipients.remove(this);
    if (wasOpened) {
      node.broker().connectionClosed(user(), device());
      node.hooks().connectionClosed(info())
          .onFailure(e -> log.warn("session {}: connection.close hook failed: {}", id(), e.toString()));
    }
  }

  private void cancelAuthTimer() {
    if (authTimer >= 0) {
      node.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
  }
}
