package chatcluster.node.transport;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One event loop's run of fan-out writes flushed together: while a batch is open, shared frames are
 * written to the sockets without a flush, and {@link #close()} flushes each connection written to
 * once. The hub opens a batch for everything that is waiting for the loop, so under load several
 * messages leave in one system call per connection, and a lone message costs no more than before.
 *
 * <p>Connections that take several server frames per WebSocket frame ({@link Connection#batched()})
 * do not write their fan-out frames at once: the batch holds them, as a chain per connection in
 * arrays of the loop (nothing per connection), and each such connection then writes what it holds as
 * one WebSocket frame: at {@link #close()} with no write delay, else when the loop's one delay timer
 * fires, {@code writeDelay} ms after the first frame held.
 *
 * <p>Threading: confined to its event loop, like the connections that use it.
 */
public final class FlushBatch {
  private static final int INITIAL_HELD = 256;
  /** Arrays grown past this are given back after a flush: a burst should not keep them for good. */
  private static final int KEEP_HELD = 16_384;

  private final Vertx vertx;
  private final long writeDelayMs;
  private final List<Connection> written = new ArrayList<>();
  /** Connections holding frames here, each once. */
  private final List<Connection> holding = new ArrayList<>();
  /** Held frames: the bytes, their WebSocket header's length (0: bare payload), the next of the same connection. */
  private ByteBuf[] frames = new ByteBuf[INITIAL_HELD];
  private byte[] headers = new byte[INITIAL_HELD];
  private int[] next = new int[INITIAL_HELD];
  private int size;
  private long timer = -1;
  private boolean open;

  /** A batch without a write delay. */
  public FlushBatch() {
    this(null, 0);
  }

  /** A batch whose held frames may wait up to {@code writeDelayMs} (then {@code vertx} is the loop's, for the timer). */
  public FlushBatch(Vertx vertx, long writeDelayMs) {
    this.vertx = vertx;
    this.writeDelayMs = vertx == null ? 0 : writeDelayMs;
  }

  public void open() {
    open = true;
  }

  boolean isOpen() {
    return open;
  }

  void add(Connection connection) {
    written.add(connection);
  }

  /** Whether a batched connection's frames are held rather than written now. */
  boolean holds() {
    return open || writeDelayMs > 0;
  }

  /**
   * Holds a frame for {@code connection}; {@code header} is the length of the WebSocket header that
   * {@code bytes} starts with (0 for a bare payload). Returns the frame's place, which the connection
   * chains after its previous one with {@link #link}. The first frame of a connection registers it.
   */
  int hold(Connection connection, ByteBuf bytes, int header, boolean first) {
    if (size == frames.length) {
      int n = size * 2;
      frames = Arrays.copyOf(frames, n);
      headers = Arrays.copyOf(headers, n);
      next = Arrays.copyOf(next, n);
    }
    int at = size++;
    frames[at] = bytes;
    headers[at] = (byte) header;
    next[at] = -1;
    if (first) {
      holding.add(connection);
      if (!open && timer < 0) {
        armTimer();
      }
    }
    return at;
  }

  void link(int previous, int at) {
    next[previous] = at;
  }

  ByteBuf frame(int at) {
    return frames[at];
  }

  int header(int at) {
    return headers[at];
  }

  /** The frame held after {@code at} for the same connection, or -1. */
  int next(int at) {
    return next[at];
  }

  /** Flushes every connection written to since {@link #open()}; the held frames go now, or after the delay. */
  public void close() {
    open = false;
    for (int i = 0; i < written.size(); i++) {
      written.get(i).flushBatched();
    }
    written.clear();
    if (holding.isEmpty()) {
      return;
    }
    if (writeDelayMs == 0) {
      writeHeld();
    } else if (timer < 0) {
      armTimer();
    }
  }

  private void armTimer() {
    // The loop's timer runs between its tasks, never inside an open batch.
    timer = vertx.setTimer(writeDelayMs, t -> {
      timer = -1;
      writeHeld();
    });
  }

  /** Each holding connection writes its frames as one WebSocket frame; the arrays are free again. */
  private void writeHeld() {
    for (int i = 0; i < holding.size(); i++) {
      holding.get(i).writeHeld();
    }
    holding.clear();
    if (frames.length > KEEP_HELD) {
      frames = new ByteBuf[INITIAL_HELD];
      headers = new byte[INITIAL_HELD];
      next = new int[INITIAL_HELD];
    } else {
      Arrays.fill(frames, 0, size, null);
    }
    size = 0;
  }
}
