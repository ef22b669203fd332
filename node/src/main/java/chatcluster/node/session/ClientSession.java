package chatcluster.node.session;

import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
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
import chatcluster.node.core.Admission;
import chatcluster.node.core.SessionCore;
import chatcluster.node.core.Step;
import chatcluster.node.transport.Connection;
import chatcluster.node.transport.Handshake;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native protocol's adapter over the {@link SessionCore} (which owns the rate limit, the ordered
 * intake, the subscriptions and their release, as it does for Pusher connections): decoding, the
 * contract's frames and close codes, and the connection's routes. Who the client is comes from its
 * {@link SignIn}; {@link Commands} carries the commands out.
 *
 * <p>Threading: confined to its connection's event loop.
 */
public final class ClientSession implements Recipient, CommandContext, SessionCore.Protocol<Subscription> {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final NodeServices node;
  private final LoopRecipients recipients;
  private final Connection connection;
  private final SessionCore<Subscription> core;
  private final SignIn signIn;
  private final Commands commands;

  public ClientSession(LoopServices loop, Connection connection, Handshake request) {
    this.node = loop.node();
    this.recipients = loop.sessions();
    this.connection = connection;
    this.signIn = new SignIn(node, recipients, this, connection, request, this::received);
    this.core = new SessionCore<>(node.config(), node.metrics(), connection, signIn::isOpen,
        e -> () -> replyError(null, e), this);
    this.commands = new Commands(loop, this, core.subscriptions());
    if (node.config().inbox().enabled()) {
      signIn.onOpen(() -> core.enqueue(commands::startInbox));
    }
    recipients.add(this);
  }

  /** Authenticates with the handshake's credential, or waits for an auth frame (see {@link SignIn}). */
  public void start() {
    signIn.start();
  }

  @Override
  public String id() {
    return connection.id();
  }

  @Override
  public String user() {
    Principal p = signIn.principal();
    return p == null ? null : p.user();
  }

  @Override
  public String device() {
    Principal p = signIn.principal();
    return p == null ? null : p.device();
  }

  @Override
  public Principal principal() {
    return signIn.principal();
  }

  @Override
  public boolean isOpen() {
    return signIn.isOpen() && connection.isOpen();
  }

  @Override
  public ConnectionInfo info() {
    return signIn.info();
  }

  // ------------------------------------------------------------------ intake

  @Override
  public void received(String text) {
    if (signIn.isClosed() || !connection.isOpen() || signIn.holdEarly(text)) {
      return;
    }
    ClientFrame frame;
    try {
      frame = FrameCodec.decode(text);
    } catch (InvalidFrameException e) {
      node.metrics().malformedFrames.increment();
      log.debug("session {}: malformed frame: {}", id(), e.getMessage());
      core.enqueue(() -> Step.done(() -> send(FrameCodec.error(e.id(), e.code(), e.getMessage()))));
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug("session {}: in {}", id(), FrameLog.masked(text));
    }
    if (frame instanceof ClientFrame.Auth auth) {
      if (signIn.awaitingAuth()) {
        signIn.authFrame(auth);
      } else {
        core.enqueue(() -> signIn.reauthenticate(auth, !core.subscriptions().isEmpty(), this::replyError));
      }
    } else if (signIn.awaitingAuth()) {
      send(FrameCodec.error(frame.id(), ErrorCode.UNAUTHORIZED,
          "authenticate first: send {\"type\":\"auth\",\"token\":…}"));
    } else {
      core.enqueue(() -> commands.dispatch(frame));
    }
  }

  /**
   * Over the frame rate limit: the client is told at most once a second ({@code rate_limited}, id
   * null: the dropped frames get no answer of their own); after {@code rateLimitGrace} over it, 4029.
   */
  @Override
  public void overRate(Admission.Verdict verdict) {
    if (verdict == Admission.Verdict.CLOSE) {
      log.info("session {}: over its rate limit for {} s, closing", id(),
          node.config().security().rateLimitGrace().toSeconds());
      connection.close(CloseCode.RATE_LIMITED, "rate limit exceeded");
    } else {
      send(FrameCodec.error(null, ErrorCode.RATE_LIMITED, "over the rate limit of "
          + node.config().rateLimit() + " frames per second: frames are being dropped"));
    }
  }

  /** A subscription being set up received more than the core holds for it: 4029, as any slow consumer. */
  @Override
  public void slowConsumer() {
    connection.close(CloseCode.RATE_LIMITED, "slow consumer");
  }

  // ------------------------------------------------------------------ writes

  /** Writes a frame meant for this client alone (replies). */
  @Override
  public void send(Buffer frame) {
    connection.send(frame);
  }

  /** Writes a frame shared with other receivers (recovered messages, broadcasts, direct frames). */
  @Override
  public void sendShared(Buffer frame) {
    sendShared(frame, null);
  }

  /** Writes a shared frame, as a whole WebSocket frame when {@code wire} is given (see {@code WireFrame}). */
  @Override
  public void sendShared(Buffer frame, io.netty.buffer.ByteBuf wire) {
    if (signIn.isOpen()) {
      connection.writeShared(frame, wire);
    }
  }

  @Override
  public void replyError(Object replyId, Throwable cause) {
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
      core.enqueue(() -> command.subscribe() ? commands.serverSubscribe(command.channel())
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

  @Override
  public chatcluster.node.hub.SessionView view() {
    java.util.List<String> channels = new java.util.ArrayList<>();
    for (Subscription sub : core.subscriptions().all()) {
      channels.add(sub.name);
    }
    java.util.Collections.sort(channels);
    return new chatcluster.node.hub.SessionView(id(), user(), device(), connection.remoteAddress(), "native",
        connection.openedAt(), channels);
  }

  // ------------------------------------------------------------------ closing

  /** An operator's disconnect: any close code the WebSocket allows, with its reason. */
  @Override
  public void disconnect(int code, String reason) {
    signIn.cancelTimer();
    connection.close(code, reason);
  }

  /** Closes with a contract close code; cleanup happens when the close completes. */
  public void closeWith(CloseCode code, String reason) {
    signIn.cancelTimer();
    connection.close(code, reason);
  }

  @Override
  public Future<Void> release(Subscription sub) {
    return commands.release(sub);
  }

  @Override
  public void closed() {
    boolean wasOpened = signIn.close();
    recipients.remove(this);
    if (wasOpened) {
      node.broker().connectionClosed(user(), device());
      node.hooks().connectionClosed(info())
          .onFailure(e -> log.warn("session {}: connection.close hook failed: {}", id(), e.toString()));
    }
  }
}
