package chatcluster.node.core;

import chatcluster.node.runtime.RateLimiter;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-channel budget of client publishes on this node ({@code channelPublishRate} a second, burst
 * twice that), shared by every event loop: one busy channel cannot take every loop's time. A
 * channel's bucket is forgotten once it has been idle long enough to be full again, so the map holds
 * only channels published to lately.
 *
 * <p>Threading: any thread; each bucket is taken under its own lock.
 */
public final class PublishBudget {
  private static final long SWEEP_MS = 10_000;

  private static final class Bucket {
    final RateLimiter limiter;
    volatile long lastUsed;

    Bucket(RateLimiter limiter, long now) {
      this.limiter = limiter;
      this.lastUsed = now;
    }
  }

  private final int rate;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** @param rate publishes per second per channel; 0 for no limit */
  public PublishBudget(Vertx vertx, int rate) {
    this.rate = rate;
    if (rate > 0) {
      vertx.setPeriodic(SWEEP_MS, t -> sweep(System.nanoTime()));
    }
  }

  /** Takes one publish from the channel's budget; false when the channel is over it. */
  public boolean tryPublish(String channel) {
    if (rate == 0) {
      return true;
    }
    long now = System.nanoTime();
    Bucket b = buckets.computeIfAbsent(channel, c -> new Bucket(new RateLimiter(rate, 2 * rate, now), now));
    b.lastUsed = now;
    synchronized (b) {
      return b.limiter.tryAcquire(now);
    }
  }

  /** Channels whose bucket is in use (for tests and metrics). */
  int tracked() {
    return buckets.size();
  }

  /** Drops buckets idle for longer than a full refill (2 s at any rate: burst is twice the rate). */
  void sweep(long now) {
    buckets.values().removeIf(b -> now - b.lastUsed > 2_000_000_000L + 1_000_000_000L);
  }
}
