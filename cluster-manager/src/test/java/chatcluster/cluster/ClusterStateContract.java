package chatcluster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.testing.CallerContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterState} must do; each implementation's test extends this. Every call is
 * made from an event-loop context of the test's own, never the one the state was created on, and
 * every Future must complete back on it.
 */
public abstract class ClusterStateContract {
  private CallerContext caller;

  /** The Vert.x the state runs on. */
  protected abstract Vertx vertx();

  /** A fresh state whose counters start at zero. */
  protected abstract ClusterState state() throws Exception;


  @BeforeEach
  void deployCaller() throws Exception {
    caller = CallerContext.deploy(vertx());
  }

  @AfterEach
  void undeployCaller() throws Exception {
    caller.close();
  }

  /** The context this test calls from. */
  protected CallerContext caller() {
    return caller;
  }

  /** Calls from the caller's context and waits; fails when the Future completes on another context. */
  protected <T> T call(Supplier<Future<T>> action) throws Exception {
    return caller.call(action);
  }

  @Test
  void tryAcquireStopsAtTheLimitAndReleaseFreesASlot() throws Exception {
    ClusterState s = state();
    assertTrue(call(() -> s.tryAcquire("c", 2)));
    assertTrue(call(() -> s.tryAcquire("c", 2)));
    assertFalse(call(() -> s.tryAcquire("c", 2)));
    assertEquals(2L, call(() -> s.count("c")));
    call(() -> s.release("c"));
    assertEquals(1L, call(() -> s.count("c")));
    assertTrue(call(() -> s.tryAcquire("c", 2)));
  }

  @Test
  void releaseNeverGoesBelowZeroAndCountersAreIndependent() throws Exception {
    ClusterState s = state();
    call(() -> s.release("empty"));
    assertEquals(0L, call(() -> s.count("empty")));
    assertTrue(call(() -> s.tryAcquire("a", 1)));
    assertTrue(call(() -> s.tryAcquire("b", 1)));
    assertFalse(call(() -> s.tryAcquire("a", 1)));
  }

  @Test
  void leaseIsHeldRenewedAndReleased() throws Exception {
    ClusterState s = state();
    assertTrue(call(() -> s.acquireLease("job", Duration.ofSeconds(5))));
    assertTrue(call(() -> s.acquireLease("job", Duration.ofSeconds(5))), "the holder renews");
    call(() -> s.releaseLease("job"));
    assertTrue(call(() -> s.acquireLease("job", Duration.ofSeconds(5))));
  }

  @Test
  void directoryListsThisNodeAfterItPublishes() throws Exception {
    ClusterState s = state();
    call(() -> s.publish(new NodeInfo(s.nodeId(), "127.0.0.1:8080", 3, 1L)));
    NodeInfo self = call(s::nodes).stream().filter(n -> n.id().equals(s.nodeId())).findFirst().orElseThrow();
    assertEquals("127.0.0.1:8080", self.address());
    assertEquals(3, self.connections());
    assertTrue(s.joined());
  }

  @Test
  void concurrentAcquiresNeverExceedTheLimit() throws Exception {
    ClusterState s = state();
    List<Boolean> results = call(() -> {
      List<Future<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        attempts.add(caller.checked(s.tryAcquire("race", 10)));
      }
      return Future.all(attempts).map(all -> all.<Boolean>list());
    });
    assertEquals(10, results.stream().filter(Boolean::booleanValue).count());
    assertEquals(10L, call(() -> s.count("race")));
  }
}
