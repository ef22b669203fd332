package chatcluster.node.session;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.hub.LoopChannels;
import java.util.ArrayDeque;

/**
 * One connection's subscription to one channel. While it is being set up (access checks, broker
 * subscription, history read) live deliveries wait in a bounded buffer, so that the recovered
 * messages go out first and nothing is lost or sent twice between them.
 */
final class Subscription implements LoopChannels.Subscriber {
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
  final ArrayDeque<Delivery> pending = new ArrayDeque<>(1); // small: empty once the subscription is live
  /**
   * The connection's subscriptions while this one is among them, else null. The loop's fan-out holds
   * the subscription itself, so a delivery reaches it without a lookup per subscriber.
   */
  Subscriptions owner;

  Subscription(String channel, ChannelOptions options) {
    this.channel = channel;
    this.options = options;
  }

  @Override
  public void deliver(Delivery delivery) {
    Subscriptions o = owner;
    if (o != null) {
      o.deliver(this, delivery);
    }
  }

  /** What to do with a delivery for this subscription. */
  enum Verdict {
    /** The client has it already. */
    SKIP,
    /** Write it. */
    WRITE,
    /** Write a reset first: messages between the client's position and this one are lost. */
    RESET_THEN_WRITE
  }

  /**
   * Decides about a channel delivery and moves the client's position. A reset delivery moves the
   * position unless the client is already past it; an offset that skips ahead, or a new epoch, means
   * the client's position is lost.
   */
  Verdict accept(Delivery d) {
    if (d.reset()) {
      if (d.epoch().equals(epoch) && d.offset() <= lastOffset) {
        return Verdict.SKIP;
      }
      epoch = d.epoch();
      lastOffset = d.offset();
      return Verdict.WRITE;
    }
    if (d.offset() == Delivery.NO_OFFSET) {
      return Verdict.WRITE;
    }
    if (!d.epoch().equals(epoch)) {
      boolean lost = epoch != null;
      epoch = d.epoch();
      lastOffset = d.offset();
      return lost ? Verdict.RESET_THEN_WRITE : Verdict.WRITE;
    }
    if (d.offset() <= lastOffset) {
      return Verdict.SKIP;
    }
    boolean gap = lastOffset >= 0 && d.offset() > lastOffset + 1;
    lastOffset = d.offset();
    return gap ? Verdict.RESET_THEN_WRITE : Verdict.WRITE;
  }
}
