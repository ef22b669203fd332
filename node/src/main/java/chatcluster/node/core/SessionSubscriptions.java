package chatcluster.node.core;

import chatcluster.node.channel.Delivery;
import chatcluster.node.transport.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's subscriptions, by name, and the pending-until-live rule both protocols share: a
 * subscription being set up holds the channel's deliveries back, at most {@link #MAX_PENDING} of
 * them (shared buffers, not copies), and writes them after what the client was sent when it went
 * live ({@link #goLive}), so nothing is lost or reordered between a subscribe's answer and the live
 * stream. A connection whose pending buffer overflows is the protocol's to close (a slow consumer).
 *
 * <p>Threading: confined to the connection's event loop.
 */
public final class SessionSubscriptions<S extends ChannelSubscription> {
  /** Deliveries a subscription being set up may hold before the connection counts as too slow. */
  public static final int MAX_PENDING = 10_000;

  private final Connection connection;
  private final Runnable overflow;
  private final Map<String, S> byName = new HashMap<>();

  /** @param overflow closes the connection when a pending buffer is full (the protocol's close) */
  SessionSubscriptions(Connection connection, Runnable overflow) {
    this.connection = connection;
    this.overflow = overflow;
  }

  public S get(String name) {
    return byName.get(name);
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  public int size() {
    return byName.size();
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** The subscriptions as they are now (a copy: callers may unsubscribe while they go through it). */
  public List<S> all() {
    return List.copyOf(byName.values());
  }

  /** Adds a subscription being set up; its deliveries wait until {@link #goLive}. */
  public void add(S sub) {
    byName.put(sub.name, sub);
    sub.owner = this;
  }

  /** Takes a subscription out; it receives nothing more. Null when there is none by that name. */
  public S remove(String name) {
    S sub = byName.remove(name);
    if (sub != null) {
      sub.owner = null;
      sub.pending.clear();
    }
    return sub;
  }

  /** Takes every subscription out (the connection closed). */
  List<S> removeAll() {
    List<S> all = new ArrayList<>(byName.values());
    byName.clear();
    for (S sub : all) {
      sub.owner = null;
      sub.pending.clear();
    }
    return all;
  }

  /** Makes a subscription live: what arrived while it was set up follows what the client was sent so far. */
  public void goLive(S sub) {
    sub.live = true;
    while (!sub.pending.isEmpty() && sub.owner == this) {
      sub.write(connection, sub.pending.poll());
    }
  }

  void deliver(ChannelSubscription sub, Delivery delivery) {
    if (!connection.isOpen()) {
      return;
    }
    if (sub.live) {
      sub.write(connection, delivery);
    } else if (sub.pending.size() < MAX_PENDING) {
      sub.pending.add(delivery);
    } else {
      overflow.run();
    }
  }
}
