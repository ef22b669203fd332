package chatcluster.node.session;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import java.util.ArrayDeque;

/**
 * One connection's subscription to one channel. While it is being set up (access checks, broker
 * subscription, history read) live deliveries wait in a bounded buffer, so that the recovered
 * messages go out first and nothing is lost or sent twice between them.
 */
final class Subscription {
  /** Live deliveries a pending subscription may hold before the connection counts as too slow. */
  static final int MAX_PENDING = 10_000;

  final String channel;
  final ChannelOptions options;
  boolean live;
  boolean slotAcquired;
  boolean joined;
  /** Offset of the last message the client has of this channel; later duplicates are skipped. */
  long lastOffset = -1;
  /** Epoch of {@link #lastOffset}; a delivery of another epoch (history lost) starts counting anew. */
  String epoch;
  final ArrayDeque<Delivery> pending = new ArrayDeque<>();

  Subscription(String channel, ChannelOptions options) {
    this.channel = channel;
    this.options = options;
  }

  /** Whether a channel message should reach the client, and remember it if so. */
  boolean accept(Delivery d) {
    if (d.offset() == Delivery.NO_OFFSET) {
      return true;
    }
    if (d.epoch() != null && !d.epoch().equals(epoch)) {
      epoch = d.epoch();
      lastOffset = d.offset();
      return true;
    }
    if (d.offset() <= lastOffset) {
      return false;
    }
    lastOffset = d.offset();
    return true;
  }
}
