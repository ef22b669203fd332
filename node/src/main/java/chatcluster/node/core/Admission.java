package chatcluster.node.core;

import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.runtime.RateLimiter;
import java.time.Duration;

/**
 * A connection's frame rate limit ({@code rateLimit}, {@code rateBurst}), the same for both
 * protocols, applied before anything is decoded: a frame over the rate is dropped (counted in
 * {@code chatcluster_frames_dropped_total}), the client is told at most once a second, and a client
 * that stays over its rate for {@code rateLimitGrace} is closed. How the telling and the close look is
 * the protocol's.
 *
 * <p>Threading: confined to the connection's event loop.
 */
public final class Admission {
  private static final long ONE_SECOND = 1_000_000_000L;

  /** What to do with a frame. */
  public enum Verdict {
    /** Take it. */
    ADMIT,
    /** Drop it silently (the client was told less than a second ago). */
    DROP,
    /** Drop it and tell the client it is over its rate. */
    DROP_AND_TELL,
    /** Drop it and close the connection: it has been over its rate for the whole grace period. */
    CLOSE
  }

  private final RateLimiter limiter;
  private final long graceNanos;
  private final NodeMetrics metrics;
  /** Since when this connection is over its rate (0: it is not), the last drop, the last time it was told. */
  private long abuseSince;
  private long lastDropped;
  private long lastTold;

  public Admission(int rate, int burst, Duration grace, NodeMetrics metrics) {
    this.limiter = new RateLimiter(rate, burst, System.nanoTime());
    this.graceNanos = grace.toNanos();
    this.metrics = metrics;
  }

  public Verdict admit() {
    long now = System.nanoTime();
    if (limiter.tryAcquire(now)) {
      return Verdict.ADMIT;
    }
    metrics.framesDropped.increment();
    if (abuseSince == 0 || now - lastDropped > ONE_SECOND) {
      abuseSince = now;
    }
    lastDropped = now;
    if (now - abuseSince > graceNanos) {
      return Verdict.CLOSE;
    }
    if (now - lastTold > ONE_SECOND) {
      lastTold = now;
      return Verdict.DROP_AND_TELL;
    }
    return Verdict.DROP;
  }
}
