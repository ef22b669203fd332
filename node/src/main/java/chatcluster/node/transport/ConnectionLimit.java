package chatcluster.node.transport;

import java.util.concurrent.atomic.AtomicInteger;

/** The node's connection count against {@code maxClients}, shared by its event loops. Any thread. */
public final class ConnectionLimit {
  private final int max;
  private final AtomicInteger count = new AtomicInteger();

  public ConnectionLimit(int max) {
    this.max = max;
  }

  /** Takes a place for one more connection; false when the node is full. */
  public boolean tryAcquire() {
    while (true) {
      int n = count.get();
      if (n >= max) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    count.decrementAndGet();
  }

  /** Connections open or being opened on the node. */
  public int count() {
    return count.get();
  }
}
