package chatcluster.node.session;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.channel.Delivery;
import chatcluster.node.core.ChannelSubscription;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.transport.Connection;

/**
 * A native subscription: the channel's options, what it holds (a maxClients slot, a presence entry)
 * and the client's position in the channel, by which it drops what the client already has and tells
 * it with a {@code reset} when its position is lost (an offset that skips ahead, a new epoch, or the
 * node's own reset).
 */
final class Subscription extends ChannelSubscription {
  final ChannelOptions options;
  boolean slotAcquired;
  boolean joined;
  /** Offset of the last message the client has of this channel; later duplicates are skipped. */
  long lastOffset = -1;
  /** Epoch of {@link #lastOffset}; a delivery of another epoch (history lost) starts counting anew. */
  String epoch;
  /** For a connection's own inbox: its kind ("user" or "device"), whose lost stretches are an inbox_gap; else null. */
  String inbox;
  /** Whether this inbox subscription counts in the inbox's readers. */
  boolean countedReader;

  Subscription(String channel, ChannelOptions options) {
    super(channel);
    this.options = options;
  }

  @Override
  protected void write(Connection connection, Delivery d) {
    long before = lastOffset;
    Verdict verdict = accept(d);
    if (inbox != null && verdict != Verdict.SKIP && (d.reset() || verdict == Verdict.RESET_THEN_WRITE)) {
      // Lost from an inbox: told as the stretch of offsets the device will not get.
      long to = d.reset() ? d.offset() : d.offset() - 1;
      if (Math.max(0, before) + 1 <= to) { // a rewind behind the device's position loses nothing more
        connection.send(FrameCodec.inboxGap(inbox, Math.max(0, before) + 1, to));
      }
      if (!d.reset()) {
        connection.writeShared(d.frame(), d.wire());
      }
      return;
    }
    switch (verdict) {
      case WRITE -> connection.writeShared(d.frame(), d.wire());
      case RESET_THEN_WRITE -> {
        // Rare (a message lost on the way): encoded for this subscriber alone.
        connection.send(FrameCodec.reset(name, d.epoch(), d.offset() - 1));
        connection.writeShared(d.frame(), d.wire());
      }
      case SKIP -> { }
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
   * position unless the client is already past it (a rewind moves it back all the same: what the
   * client has after it is gone from the stream); an offset that skips ahead, or a new epoch, means
   * the client's position is lost.
   */
  Verdict accept(Delivery d) {
    if (d.reset()) {
      if (d.epoch().equals(epoch) && (d.rewind() ? d.offset() == lastOffset : d.offset() <= lastOffset)) {
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
