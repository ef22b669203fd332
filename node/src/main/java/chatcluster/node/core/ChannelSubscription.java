package chatcluster.node.core;

import chatcluster.node.channel.Delivery;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.transport.Connection;
import java.util.ArrayDeque;

/**
 * One connection's subscription to one channel, for either protocol. While it is being set up
 * (access checks, counters, the broker subscription, a history read) the channel's deliveries wait
 * in a bounded buffer of {@link SessionSubscriptions}; once live they are written as they come. How a
 * delivery is written (offset checks, a socket's exclusion) is the protocol's {@link #write}.
 *
 * <p>The loop's fan-out holds the subscription itself, so a delivery reaches it without a lookup.
 * Threading: confined to its connection's event loop.
 */
public abstract class ChannelSubscription implements LoopChannels.Subscriber {
  /** The channel's name as the client knows it (the key among the connection's subscriptions). */
  public final String name;
  boolean live;
  /** Small: empty once the subscription is live, and most are live within milliseconds. */
  final ArrayDeque<Delivery> pending = new ArrayDeque<>(1);
  /** The connection's subscriptions while this one is among them, else null (released). */
  SessionSubscriptions<?> owner;

  protected ChannelSubscription(String name) {
    this.name = name;
  }

  /** Whether the client has been told it is subscribed and gets deliveries as they come. */
  public final boolean isLive() {
    return live;
  }

  /** Whether this subscription is still the connection's (not unsubscribed or closed meanwhile). */
  public final boolean isCurrent() {
    return owner != null;
  }

  @Override
  public final void deliver(Delivery delivery) {
    SessionSubscriptions<?> o = owner;
    if (o != null) {
      o.deliver(this, delivery);
    }
  }

  /** Writes one delivery of a live subscription to its connection, as the protocol renders it. */
  protected abstract void write(Connection connection, Delivery delivery);
}
