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
}
