package chatcluster.node.core;

import chatcluster.node.config.NodeConfig;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.transport.Connection;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a connection is, whichever protocol it speaks: the frame rate limit ({@link Admission}) before
 * anything is decoded, the ordered and bounded intake ({@link Intake}), the subscriptions with their
 * pending-until-live rule ({@link SessionSubscriptions}), and the release of all of it when the
 * connection closes. A protocol adapter decodes frames, carries out its commands through the intake
 * and renders what the core decides (a rate refusal, a slow consumer's close) in its own frames and
 * codes; presence goes through the node's one {@link Presence} membership.
 *
 * <p>Threading: confined to the connection's event loop.
 *
 * @param <S> the protocol's subscription
 */
public final class SessionCore<S extends ChannelSubscription> {
  /** The protocol's side of a session. */
  public interface Protocol<S> {
    /** A text frame the rate limit let through, in arrival order. */
    void received(String text);

    /** The client is over its rate: tell it ({@code DROP_AND_TELL}) or close it ({@code CLOSE}). */
    void overRate(Admission.Verdict verdict);

    /** A subscription's pending deliveries overflowed while it was set up: close the connection. */
    void slowConsumer();

    /** Undoes what a subscription holds (fan-out, counters, presence); completes when it is undone. */
    Future<Void> release(S subscription);

    /** The connection closed; its subscriptions are released already. */
    void closed();
  }

  private final Protocol<S> protocol;
  private final Admission admission;
  private final Intake intake;
  private final SessionSubscriptions<S> subscriptions;
  private boolean closed;

  /**
   * @param running whether commands may start now (e.g. authenticated), checked before each one
   * @param failed  the answer to a command that threw or whose answer failed
   */
  public SessionCore(NodeConfig config, NodeMetrics metrics, Connection connection, BooleanSupplier running,
                     Function<Throwable, Runnable> failed, Protocol<S> protocol) {
    this.protocol = protocol;
    this.admission = new Admission(config.rateLimit(), config.rateBurst(), config.security().rateLimitGrace(),
        metrics);
    this.intake = new Intake(connection::pause, connection::resume, () -> !closed && running.getAsBoolean(), failed);
    this.subscriptions = new SessionSubscriptions<>(connection, protocol::slowConsumer);
    connection.listen(new Connection.Listener() {
      @Override
      public boolean admit() {
        return SessionCore.this.admit();
      }

      @Override
      public void handleText(String text) {
        if (!closed) {
          protocol.received(text);
        }
      }

      @Override
      public void handleClosed() {
        SessionCore.this.handleClosed();
      }
    }, config.maxMessageSize());
  }

  public SessionSubscriptions<S> subscriptions() {
    return subscriptions;
  }

  /** Whether the connection has closed (everything released). */
  public boolean isClosed() {
    return closed;
  }

  /** Queues a command behind the connection's earlier ones. */
  public void enqueue(Supplier<Step> command) {
    if (!closed) {
      intake.enqueue(command);
    }
  }

  /** Takes a subscription out and undoes it; completes when it is undone. */
  public Future<Void> release(S subscription) {
    if (subscriptions.get(subscription.name) == subscription) {
      subscriptions.remove(subscription.name);
    }
    return protocol.release(subscription);
  }

  private boolean admit() {
    Admission.Verdict verdict = admission.admit();
    switch (verdict) {
      case ADMIT -> {
        return true;
      }
      case DROP -> { }
      default -> protocol.overRate(verdict);
    }
    return false;
  }

  private void handleClosed() {
    if (closed) {
      return;
    }
    closed = true;
    intake.clear();
    for (S sub : subscriptions.removeAll()) {
      protocol.release(sub);
    }
    protocol.closed();
  }
}
