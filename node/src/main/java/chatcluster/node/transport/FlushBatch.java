package chatcluster.node.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's run of fan-out writes flushed together: while a batch is open, shared frames are
 * written to the sockets without a flush, and {@link #close()} flushes each connection written to
 * once. The hub opens a batch for everything that is waiting for the loop, so under load several
 * messages leave in one system call per connection, and a lone message costs no more than before.
 *
 * <p>Threading: confined to its event loop, like the connections that use it.
 */
public final class FlushBatch {
  private final List<Connection> written = new ArrayList<>();
  private boolean open;

  public void open() {
    open = true;
  }

  boolean isOpen() {
    return open;
  }

  void add(Connection connection) {
    written.add(connection);
  }

  /** Flushes every connection written to since {@link #open()}. */
  public void close() {
    open = false;
    for (int i = 0; i < written.size(); i++) {
      written.get(i).flushBatched();
    }
    written.clear();
  }
}
