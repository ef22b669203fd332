package chatcluster.node.channel;

import io.vertx.core.buffer.Buffer;

/**
 * A frame for this node's connections, encoded once.
 *
 * @param channel the channel whose subscribers get it, or null for every connection of the node
 * @param offset  the message's offset in its channel, or {@link #NO_OFFSET} for frames outside the
 *                channel's stream (events, join, leave, broadcast, messages published while the
 *                broker was unreachable)
 * @param epoch   the epoch the offset belongs to, or null with {@link #NO_OFFSET}
 * @param frame   the encoded server frame; the same bytes are written to every receiver
 * @param reset   true for a {@code reset} frame: {@code offset} and {@code epoch} are the new position
 */
public record Delivery(String channel, long offset, String epoch, Buffer frame, boolean reset) {
  public static final long NO_OFFSET = -1;

  public Delivery(String channel, long offset, String epoch, Buffer frame) {
    this(channel, offset, epoch, frame, false);
  }

  /**
   * A {@code reset} frame: the channel's subscribers lost their position; the stream continues after
   * {@code offset} of {@code epoch}.
   */
  public static Delivery reset(String channel, long offset, String epoch, Buffer frame) {
    return new Delivery(channel, offset, epoch, frame, true);
  }

  public static Delivery unordered(String channel, Buffer frame) {
    return new Delivery(channel, NO_OFFSET, null, frame);
  }

  public boolean everyone() {
    return channel == null;
  }
}
