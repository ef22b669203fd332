package chatcluster.node.broker;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A message between nodes on Redis pub/sub: {@code <origin>\n<offset or -1>\n<epoch or target>\n<frame>}.
 * The frame is the client frame, already encoded: receiving nodes write it as it is.
 */
record Envelope(String origin, long offset, String third, Buffer frame) {

  static Buffer encode(String origin, long offset, String third, Buffer frame) {
    byte[] head = (origin + "\n" + offset + "\n" + (third == null ? "" : third) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(head.length + frame.length()).appendBytes(head).appendBuffer(frame);
  }

  /** Parses an envelope; null when it is not one. */
  static Envelope parse(Buffer payload) {
    int[] newlines = new int[3];
    int found = 0;
    for (int i = 0; i < payload.length() && found < 3; i++) {
      if (payload.getByte(i) == '\n') {
        newlines[found++] = i;
      }
    }
    if (found < 3) {
      return null;
    }
    try {
      String origin = payload.getString(0, newlines[0], "UTF-8");
      long offset = Long.parseLong(payload.getString(newlines[0] + 1, newlines[1], "UTF-8"));
      String third = payload.getString(newlines[1] + 1, newlines[2], "UTF-8");
      return new Envelope(origin, offset, third.isEmpty() ? null : third,
          payload.slice(newlines[2] + 1, payload.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
