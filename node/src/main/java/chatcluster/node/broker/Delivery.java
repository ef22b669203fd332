package chatcluster.node.broker;

import io.vertx.core.buffer.Buffer;

/**
 * A frame for this node's connections, encoded once.
 *
 * @param channel the channel whose subscribers get it, or null for every connection of the node
 * @param offset  the message's offset in its channel, or {@link #NO_OFFSET} for frames outside the
 *                channel's stream (events, join, leave, broadcast)
 * @param frame   the encoded server frame; the same bytes are written to every receiver
 */
public record Delivery(String channel, long offset, Buffer frame) {
  public static final long NO_OFFSET = -1;

  public boolean everyone() {
    return channel == null;
  }
}
