package chatcluster.node.session;

import chatcluster.node.auth.AuthRequest;
import chatcluster.node.auth.Principal;
import chatcluster.node.hooks.ConnectionInfo;
import chatcluster.node.hub.LoopRecipients;
import chatcluster.node.hub.Recipient;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ClientFrame;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.core.Step;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.services.NodeServices;
import chatcluster.node.transport.Connection;
import chatcluster.node.transport.Handshake;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a native connection is: the authentication state machine of PROTOCOL.md section 1. A
 * connection authenticates with its handshake's credential or with an {@code auth} frame within
 * {@code auth.timeout} (else 4001); frames sent while the credential is checked wait (at most
 * {@value #MAX_EARLY_FRAMES}) and run once it is in. Opening runs the {@code connection.open} hook
 * once, registers the connection's user and device routes, then welcomes; an anonymous connection may
 * identify itself later, before it joins anything. Identities come only from the Authenticator.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class SignIn {
  private static final Logger log = LoggerFactory.getLogger(SignIn.class);
  /** Frames a client may send while its credential is being checked; they run once it is in. */
  static final int MAX_EARLY_FRAMES = 32;

  enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final NodeServices node;
  private final LoopRecipients recipients;
  private final Recipient self;
  private final Connection connection;
  private final Handshake request;
  /** Hands the frames that waited for the welcome back to the session, in order. */
  private final Consumer<String> replay;
  private Runnable onOpen = () -> { };
  // Starts small (it grows on demand): an idle connection holds it for its whole life.
  private final ArrayDeque<String> early = new ArrayDeque<>(1);
  private Principal principal;
  private State state = State.AWAITING_AUTH;
  private boolean opened;
  private long authTimer = -1;

  SignIn(NodeServices node, LoopRecipients recipients, Recipient self, Connection connection, Handshake request,
         Consumer<String> replay) {
    this.node = node;
    this.recipients = recipients;
    this.self = self;
    this.connection = connection;
    this.request = request;
    this.replay = replay;
  }

  /** Runs once the connection is welcomed (again after a re-authentication), before any frame that waited. */
  void onOpen(Runnable action) {
    this.onOpen = action;
  }

  /** Authenticates with the handshake's credential, or waits for an auth frame when it had none and auth is required. */
  void start() {
    if (request.token() == null && node.config().authEnabled()) {
      authTimer = node.vertx().setTimer(node.config().authTimeout().toMillis(), t -> {
        authTimer = -1;
        if (state == State.AWAITING_AUTH) {
          connection.close(CloseCode.UNAUTHORIZED, "authentication timeout");
        }
      });
    } else {
      authenticate(request.token(), request.user(), request.device(), null);
    }
  }

  Principal principal() {
    return principal;
  }

  /** Welcomed: commands run. */
  boolean isOpen() {
    return state == State.OPEN;
  }

  boolean isClosed() {
    return state == State.CLOSED;
  }

  /** No credential yet: only an auth frame is taken. */
  boolean awaitingAuth() {
    return state == State.AWAITING_AUTH;
  }

  ConnectionInfo info() {
    return new ConnectionInfo(connection.id(), principal == null ? null : principal.user(),
        principal == null ? null : principal.device(), principal == null || principal.anonymous(),
        connection.remoteAddress(), node.nodeId());
  }

  /** Keeps a frame that came while the credential is checked; false when it is not being checked. */
  boolean holdEarly(String text) {
    if (state != State.AUTHENTICATING) {
      return false;
    }
    if (early.size() < MAX_EARLY_FRAMES) {
      early.add(text);
    } else {
      connection.send(FrameCodec.error(null, ErrorCode.RATE_LIMITED, "too many frames before the welcome"));
    }
    return true;
  }

  /** The first auth frame of a connection that had no credential. */
  void authFrame(ClientFrame.Auth auth) {
    cancelTimer();
    authenticate(auth.token(), auth.user() != null ? auth.user() : request.user(),
        auth.device() != null ? auth.device() : request.device(), auth.id());
  }

  /** An auth frame on an open connection: an anonymous one may identify itself before it joins anything. */
  Step reauthenticate(ClientFrame.Auth auth, boolean subscribed, BiConsumer<Object, Throwable> replyError) {
    if (!principal.anonymous() || subscribed || auth.token() == null) {
      return Step.done(() -> replyError.accept(auth.id(), ChatException.badRequest("already authenticated")));
    }
    Future<Principal> checked = checkCredential(auth.token(), auth.user() != null ? auth.user() : request.user(),
        auth.device() != null ? auth.device() : request.device());
    Future<Runnable> answer = checked.transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(() -> replyError.accept(auth.id(), ar.cause()));
      }
      return open(ar.result(), null).map(v -> () -> connection.send(FrameCodec.ack(auth.id(), identity())));
    });
    return Step.serial(answer);
  }

  /** Ends the state machine (the connection closed); true when the connection had been opened. */
  boolean close() {
    state = State.CLOSED;
    cancelTimer();
    return opened;
  }

  void cancelTimer() {
    if (authTimer >= 0) {
      node.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
  }

  private JsonObject identity() {
    return new JsonObject().put("session", connection.id()).put("user", principal.user())
        .put("device", principal.device());
  }

  private void authenticate(String token, String user, String device, Object replyId) {
    state = State.AUTHENTICATING;
    checkCredential(token, user, device).onComplete(ar -> {
      if (!connection.isOpen()) {
        return;
      }
      if (ar.failed()) {
        log.debug("session {}: authentication refused: {}", connection.id(), ar.cause().getMessage());
        closeFor(ar.cause(), CloseCode.UNAUTHORIZED);
      } else {
        open(ar.result(), replyId).onComplete(x -> {
          while (!early.isEmpty() && isOpen() && connection.isOpen()) {
            replay.accept(early.poll());
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
      return Contexts.onCaller(node.authenticator().authenticate(new AuthRequest(connection.id(), token, user,
          device, connection.remoteAddress(), request.headers())));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Takes the principal, runs the connection.open hook once, registers routes, welcomes. */
  private Future<Void> open(Principal p, Object replyId) {
    String oldUser = principal == null ? null : principal.user();
    String oldDevice = principal == null ? null : principal.device();
    principal = p;
    recipients.index(self, oldUser, oldDevice);
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
          .onFailure(e -> log.warn("session {}: route not registered: {}", connection.id(), e.toString()))
          .<Void>mapEmpty().recover(e -> Future.succeededFuture())
          .onSuccess(v -> {
            if (!connection.isOpen()) {
              return;
            }
            state = State.OPEN;
            log.debug("session {}: open as user {} device {}", connection.id(), p.user(), p.device());
            connection.send(FrameCodec.welcome(connection.id(), node.nodeId(), p.user(), p.device(),
                node.config().pingInterval().toSeconds(), connection.batched()));
            if (replyId != null) {
              connection.send(FrameCodec.ack(replyId, identity()));
            }
            onOpen.run();
          });
    });
  }

  /** Refuses (before the welcome) or closes (after it) with the code the failure calls for. */
  private void closeFor(Throwable cause, CloseCode fallback) {
    CloseCode code = fallback;
    if (cause instanceof ChatException ce) {
      code = switch (ce.code()) {
        case FORBIDDEN -> CloseCode.FORBIDDEN;
        case UNAUTHORIZED -> CloseCode.UNAUTHORIZED;
        default -> fallback;
      };
    } else if (fallback == CloseCode.INTERNAL) {
      log.error("session {}: connection.open hook failed", connection.id(), cause);
    }
    String reason = cause instanceof ChatException ? cause.getMessage() : code.name().toLowerCase();
    cancelTimer();
    if (opened) {
      connection.close(code, reason);
    } else {
      connection.refuse(code, reason);
    }
  }
}
