package chatcluster.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster of one: counters, directory and leases in memory. Any thread may call; every Future is
 * complete when returned, so its callbacks run at once on the caller's thread and context.
 */
public final class LocalClusterState implements ClusterState {
  private final String nodeId;
  private final ConcurrentHashMap<String, Long> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> leases = new ConcurrentHashMap<>();
  private volatile NodeInfo self;

  public LocalClusterState(String nodeId) {
    this.nodeId = nodeId;
    this.self = new NodeInfo(nodeId, "", 0, System.currentTimeMillis());
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

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

  @Override
  public Future<List<NodeInfo>> nodes() {
    return Future.succeededFuture(List.of(self));
  }

  @Override
  public Future<Void> publish(NodeInfo info) {
    self = info;
    return Future.succeededFuture();
  }

  @Override
  public void onMembership(Handler<MembershipChange> handler) {
    // Nobody else ever joins or leaves.
  }

  @Override
  public Future<Boolean> acquireLease(String name, Duration ttl) {
    leases.put(name, System.nanoTime() + ttl.toNanos());
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Void> releaseLease(String name) {
    leases.remove(name);
    return Future.succeededFuture();
  }

  @Override
  public boolean joined() {
    return true;
  }
}
