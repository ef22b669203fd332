package chatcluster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link ClusterState} must do; each implementation's test extends this. */
public abstract class ClusterStateContract {

  /** A fresh state whose counters start at zero. */
  protected abstract ClusterState state();

  protected static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void tryAcquireStopsAtTheLimitAndReleaseFreesASlot() throws Exception {
    ClusterState s = state();
    assertTrue(await(s.tryAcquire("c", 2)));
    assertTrue(await(s.tryAcquire("c", 2)));
    assertFalse(await(s.tryAcquire("c", 2)));
    assertEquals(2L, await(s.count("c")));
    await(s.release("c"));
    assertEquals(1L, await(s.count("c")));
    assertTrue(await(s.tryAcquire("c", 2)));
  }

  @Test
  void releaseNeverGoesBelowZeroAndCountersAreIndependent() throws Exception {
    ClusterState s = state();
    await(s.release("empty"));
    assertEquals(0L, await(s.count("empty")));
    assertTrue(await(s.tryAcquire("a", 1)));
    assertTrue(await(s.tryAcquire("b", 1)));
    assertFalse(await(s.tryAcquire("a", 1)));
  }

  @Test
  void leaseIsHeldRenewedAndReleased() throws Exception {
    ClusterState s = state();
    assertTrue(await(s.acquireLease("job", java.time.Duration.ofSeconds(5))));
    assertTrue(await(s.acquireLease("job", java.time.Duration.ofSeconds(5))), "the holder renews");
    await(s.releaseLease("job"));
    assertTrue(await(s.acquireLease("job", java.time.Duration.ofSeconds(5))));
  }

  @Test
  void directoryListsThisNodeAfterItPublishes() throws Exception {
    ClusterState s = state();
    await(s.publish(new NodeInfo(s.nodeId(), "127.0.0.1:8080", 3, 1L)));
    NodeInfo self = await(s.nodes()).stream().filter(n -> n.id().equals(s.nodeId())).findFirst().orElseThrow();
    assertEquals("127.0.0.1:8080", self.address());
    assertEquals(3, self.connections());
    assertTrue(s.joined());
  }

  @Test
  void concurrentAcquiresNeverExceedTheLimit() throws Exception {
    ClusterState s = state();
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      attempts.add(s.tryAcquire("race", 10));
    }
    int granted = 0;
    for (Future<Boolean> f : attempts) {
      granted += await(f) ? 1 : 0;
    }
    assertEquals(10, granted);
    assertEquals(10L, await(s.count("race")));
  }
}
