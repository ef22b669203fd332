package chatcluster.node.session;

import chatcluster.node.channel.Delivery;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.transport.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's subscriptions and the delivery of their frames: a subscription being set up holds
 * live frames back (bounded), a live one drops what the client already has (by offset) and writes the
 * rest, the same bytes every other subscriber gets. A client whose position is lost (an offset that
 * skips ahead, a new epoch, or the node's own reset) gets a {@code reset} frame first.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class Subscriptions {
  private final Connection connection;
  private final Map<String, Subscription> byChannel = new HashMap<>();

  Subscriptions(Connection connection) {
    this.connection = connection;
  }

  Subscription get(String channel) {
    return byChannel.get(channel);
  }

  boolean contains(String channel) {
    return byChannel.containsKey(channel);
  }

  void add(Subscription sub) {
    byChannel.put(sub.channel, sub);
    sub.owner = this;
  }

  Subscription remove(String channel) {
    Subscription sub = byChannel.remove(channel);
    if (sub != null) {
      sub.owner = null;
    }
    return sub;
  }

  /** Takes every subscription out (the connection closed). */
  List<Subscription> removeAll() {
    List<Subscription> all = new ArrayList<>(byChannel.values());
    byChannel.clear();
    for (Subscription sub : all) {
      sub.owner = null;
    }
    return all;
  }

  java.util.Collection<Subscription> all() {
    return List.copyOf(byChannel.values());
  }

  int size() {
    return byChannel.size();
  }

  boolean isEmpty() {
    return byChannel.isEmpty();
  }

  /** A delivery for one of this connection's subscriptions (the fan-out calls the subscription). */
  void deliver(Subscription sub, Delivery delivery) {
    if (!connection.isOpen()) {
      return;
    }
    if (!sub.live) {
      if (sub.pending.size() >= Subscription.MAX_PENDING) {
        connection.close(CloseCode.RATE_LIMITED, "slow consumer");
      } else {
        sub.pending.add(delivery);
      }
      return;
    }
    offer(sub, delivery);
  }

  private void offer(Subscription sub, Delivery d) {
    switch (sub.accept(d)) {
      case WRITE -> connection.writeShared(d.frame(), d.wire());
      case RESET_THEN_WRITE -> {
        // Rare (a message lost on the way): encoded for this subscriber alone.
        connection.send(FrameCodec.reset(sub.channel, d.epoch(), d.offset() - 1));
        connection.writeShared(d.frame(), d.wire());
      }
      case SKIP -> { }
    }
  }

  /** Makes a subscription live: what arrived while it was set up follows what the client was sent so far. */
  void goLive(Subscription sub) {
    sub.live = true;
    while (!sub.pending.isEmpty()) {
      offer(sub, sub.pending.poll());
    }
  }
}
