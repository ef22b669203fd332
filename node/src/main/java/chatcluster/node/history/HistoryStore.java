package chatcluster.node.history;


import chatcluster.node.channel.ChannelOptions;
import io.vertx.core.Future;

/**
 * Reads channel streams. Writes happen inside {@code Broker.publish}, atomically with delivery.
 * Called on the node's event loop; never blocks it.
 */
public interface HistoryStore {

  /** The channel's current position; a channel never published to is at offset 0 of a fresh epoch. */
  Future<StreamPosition> position(String channel);

  /**
   * Reads retained messages.
   *
   * @param sinceOffset with a value: the messages after it, oldest first, at most {@code limit};
   *                    null: the latest {@code limit} messages, oldest first
   */
  Future<HistoryPage> read(String channel, Long sinceOffset, int limit, ChannelOptions options);

  /**
   * Reads for a subscription already in place: the messages after {@code sinceOffset}, oldest first,
   * at most {@code limit} (0: the position only). Unlike {@link #read} it need not see a write this
   * node sent a moment before (what it misses of that reaches the subscription live), so a store may
   * serve it beside the ordered path and share one read among subscribers of one channel.
   */
  default Future<HistoryPage> catchUp(String channel, long sinceOffset, int limit, ChannelOptions options) {
    return read(channel, sinceOffset, limit, options);
  }
}
