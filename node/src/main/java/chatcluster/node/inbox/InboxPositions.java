package chatcluster.node.inbox;

import io.vertx.core.Future;

/**
 * Where each device is in each inbox: the offset it acknowledged, cumulative, in the inbox's epoch
 * (a position of another epoch means nothing: the inbox's stream restarted).
 *
 * <p>Threading: any thread may call; every Future completes on the caller's context; calls from one
 * context take effect in the order they were made.
 */
public interface InboxPositions {
  /** The offset {@code device} acknowledged in {@code inbox} in {@code epoch}, or -1. */
  Future<Long> position(String inbox, String device, String epoch);

  /**
   * Moves {@code device}'s position in {@code inbox} to {@code offset} when that is further on, in
   * one atomic step; answers the position before (-1 for none), so that what the acknowledgement
   * newly covers is {@code (before, offset]} and nothing is covered twice.
   */
  Future<Long> ack(String inbox, String device, String epoch, long offset);
}
