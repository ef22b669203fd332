package chatcluster.node.runtime;

/** A token bucket: {@code rate} a second on average, up to {@code burst} at once; 0 rate: unlimited. Not thread-safe. */
public final class RateLimiter {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  public RateLimiter(int rate, int burst, long nowNanos) {
    this.ratePerNano = rate / 1e9;
    this.capacity = Math.max(1, Math.max(rate, burst));
    this.tokens = capacity;
    this.last = nowNanos;
  }

  public boolean tryAcquire(long nowNanos) {
    if (ratePerNano == 0) {
      return true;
    }
    tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
