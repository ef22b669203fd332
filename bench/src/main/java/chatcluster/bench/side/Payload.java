package chatcluster.bench.side;

import io.vertx.core.buffer.Buffer;

/**
 * The benchmark's message body, the same for every target: {@code #B#<publisher>:<seq>:<nanoTime>#}
 * padded with {@code x} to a fixed size. The sequence number counts per publisher per channel; the
 * timestamp is {@link System#nanoTime()} at the publish, comparable with the receive time because
 * publishers and subscribers live in the generator's JVM. Plain ASCII: it needs no escaping in JSON.
 */
public final class Payload {
  private static final byte[] MARKER = {'#', 'B', '#'};

  private Payload() {}

  /** A payload of at least {@code size} characters. */
  public static String make(int publisher, long seq, int size) {
    StringBuilder sb = new StringBuilder(size + 8).append("#B#").append(publisher).append(':').append(seq).append(':')
        .append(System.nanoTime()).append('#');
    while (sb.length() < size) {
      sb.append('x');
    }
    return sb.toString();
  }

  /** Where the marker starts in a received frame, or -1 when the frame carries no payload. */
  public static int find(Buffer frame) {
    return find(frame, 0);
  }

  /** Where the next marker at or after {@code from} starts, or -1 (a message may carry several frames). */
  public static int find(Buffer frame, int from) {
    int n = frame.length() - MARKER.length;
    for (int i = from; i <= n; i++) {
      if (frame.getByte(i) == '#' && frame.getByte(i + 1) == 'B' && frame.getByte(i + 2) == '#') {
        return i;
      }
    }
    return -1;
  }

  /** Parses publisher, seq and timestamp of the payload whose marker is at {@code at} into {@code out}. */
  public static void parse(Buffer frame, int at, long[] out) {
    int i = at + MARKER.length;
    for (int field = 0; field < 3; field++) {
      long v = 0;
      byte b;
      while ((b = frame.getByte(i++)) >= '0' && b <= '9') {
        v = v * 10 + (b - '0');
      }
      out[field] = v;
    }
  }
}
