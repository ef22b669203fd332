package chatcluster.node.transport;

import chatcluster.node.config.Security;
import chatcluster.node.runtime.RateLimiter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per client address, over all of a node's event loops: open connections against
 * {@code maxConnectionsPerIp} and new connections per second against {@code connectRatePerIp}
 * (burst twice that). Any thread; an address with nothing open for a while is forgotten.
 */
public final class ClientAddresses {
  /** What one address holds. Guarded by its own monitor. */
  private static final class Entry {
    int open;
    RateLimiter newConnections;
    long lastOpened;
  }

  private final Security security;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  public ClientAddresses(Security security) {
    this.security = security;
  }

  /** Why an address may not open one more connection now, or null when it may (and is counted). */
  public String tryOpen(String address, long nowNanos) {
    if (!security.admits(address)) {
      return "address not allowed";
    }
    int maxOpen = security.maxConnectionsPerIp();
    int rate = security.connectRatePerIp();
    if (maxOpen == 0 && rate == 0) {
      return null;
    }
    String[] refusal = new String[1];
    entries.compute(address, (a, e) -> {
      Entry entry = e != null ? e : new Entry();
      if (e == null) {
        entry.newConnections = new RateLimiter(rate, 2 * rate, nowNanos);
      }
      if (maxOpen > 0 && entry.open >= maxOpen) {
        refusal[0] = "too many connections from this address";
      } else if (!entry.newConnections.tryAcquire(nowNanos)) {
        refusal[0] = "too many new connections from this address";
      } else {
        entry.open++;
        entry.lastOpened = nowNanos;
      }
      return entry;
    });
    return refusal[0];
  }

  /** A connection counted by {@link #tryOpen} closed. */
  public void closed(String address) {
    if (security.maxConnectionsPerIp() == 0 && security.connectRatePerIp() == 0) {
      return;
    }
    long now = System.nanoTime();
    entries.computeIfPresent(address, (a, e) -> {
      e.open = Math.max(0, e.open - 1);
      // Forgotten once nothing is open and its bucket has had time to fill again.
      return e.open == 0 && now - e.lastOpened > 2_000_000_000L ? null : e;
    });
  }
}
