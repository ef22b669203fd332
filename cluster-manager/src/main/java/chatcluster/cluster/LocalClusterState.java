package chatcluster.cluster;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** A cluster of one: counters in memory. Thread-safe; every Future completes at once. */
public final class LocalClusterState implements ClusterState {
  private final ConcurrentHashMap<String, Long> counters = new ConcurrentHashMap<>();

  @Override
  public Future<Boolean> tryAcquire(String counter, long limit) {
    AtomicBoolean acquired = new AtomicBoolean();
    counters.compute(counter, (k, v) -> {
      long current = v == null ? 0 : v;
      if (current < limit) {
        acquired.set(true);
        return current + 1;
      }
      return v;
    });
    return Future.succeededFuture(acquired.get());
  }

  @Override
  public Future<Void> release(String counter) {
    counters.computeIfPresent(counter, (k, v) -> v <= 1 ? null : v - 1);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> count(String counter) {
    return Future.succeededFuture(counters.getOrDefault(counter, 0L));
  }
}
