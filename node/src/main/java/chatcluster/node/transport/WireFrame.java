package chatcluster.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Whole WebSocket text frames, header included, built once per message per node and written to
 * every subscriber as it is: each write takes a retained duplicate (its own indexes over the same
 * memory), so no subscriber costs a copy or an encode.
 *
 * <p>The bytes live in a direct buffer, which the socket write reads in place (a heap buffer would be
 * copied into a direct one on every write). The frame's own reference is never released: its memory
 * is freed by the garbage collector once the last write and the last holder let go, so a frame held
 * anywhere (a hand-over queue, a slow socket) can never be freed under a writer. Server frames are
 * not masked and this node does not compress, so one frame serves every connection, ws or wss (TLS
 * encrypts per connection below this).
 */
public final class WireFrame {
  private static final int FIN_TEXT = 0x81;

  private WireFrame() {}

  /** The text frame carrying {@code utf8}, which must be valid UTF-8 (the node's own encoding). */
  public static ByteBuf text(Buffer utf8) {
    ByteBuf payload = ((BufferInternal) utf8).getByteBuf();
    int length = payload.readableBytes();
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
    frame.put((byte) FIN_TEXT);
    if (length < 126) {
      frame.put((byte) length);
    } else if (length <= 0xFFFF) {
      frame.put((byte) 126).putShort((short) length);
    } else {
      frame.put((byte) 127).putLong(length);
    }
    payload.getBytes(payload.readerIndex(), frame);
    frame.flip();
    return Unpooled.wrappedBuffer(frame);
  }
}
