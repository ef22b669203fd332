package chatcluster.node.channel;

import io.netty.buffer.ByteBuf;
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
 * @param wire    the whole WebSocket frame of {@code frame} (header included) that the hub builds once
 *                per node for its loops, or null before that (see {@code transport.WireFrame})
 * @param rewind  for a reset: the stream went back to {@code offset} (Redis discarded messages after
 *                it, and new ones will take their offsets), so a subscriber past it goes back too
 */
public record Delivery(String channel, long offset, String epoch, Buffer frame, boolean reset, ByteBuf wire,
                       boolean rewind) {
  public static final long NO_OFFSET = -1;

  public Delivery(String channel, long offset, String epoch, Buffer frame) {
    this(channel, offset, epoch, frame, false, null, false);
  }

  public Delivery(String channel, long offset, String epoch, Buffer frame, boolean reset) {
    this(channel, offset, epoch, frame, reset, null, false);
  }

  /** This delivery with its frame also as a whole WebSocket frame. */
  public Delivery withWire(ByteBuf wire) {
    return new Delivery(channel, offset, epoch, frame, reset, wire, rewind);
  }

  /**
   * A {@code reset} frame: the channel's subscribers lost their position; the stream continues after
   * {@code offset} of {@code epoch}.
   */
  public static Delivery reset(String channel, long offset, String epoch, Buffer frame) {
    return new Delivery(channel, offset, epoch, frame, true);
  }

  /**
   * A {@code reset} frame for a stream that went back: what came after {@code offset} of
   * {@code epoch} is gone, and the offsets after it will be taken by other messages.
   */
  public static Delivery rewind(String channel, long offset, String epoch, Buffer frame) {
    return new Delivery(channel, offset, epoch, frame, true, null, true);
  }

  public static Delivery unordered(String channel, Buffer frame) {
    return new Delivery(channel, NO_OFFSET, null, frame);
  }

  public boolean everyone() {
    return channel == null;
  }
}
