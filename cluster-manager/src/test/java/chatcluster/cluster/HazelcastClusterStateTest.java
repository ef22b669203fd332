package chatcluster.cluster;

import static chatcluster.cluster.testing.CallerContext.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.testing.CallerContext;
import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Hazelcast members in this JVM, joined by TCP-IP on loopback under a cluster name of their own:
 * the contract on one member, and what only a cluster can show across two.
 */
class HazelcastClusterStateTest extends MembershipContract {
  static final String CLUSTER = "test-" + UUID.randomUUID();
  static int port;
  static ClusterBootstrap.Clustered first;
  static ClusterBootstrap.Clustered second;
  static int counterNames;
  ClusterBootstrap.Clustered joiner;

  @BeforeAll
  static void startTwoMembers() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    first = member("node-1");
    second = member("node-2");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (first.state().hzMembers() < 2 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    assertEquals(2, first.state().hzMembers(), "the two members formed one cluster");
  }

  static ClusterBootstrap.Clustered member(String id) throws Exception {
    ClusterOptions options = new ClusterOptions(CLUSTER, List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1)),
        null, "127.0.0.1", port, id);
    return await(ClusterBootstrap.start(options, new VertxOptions()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (ClusterBootstrap.Clustered c : new ClusterBootstrap.Clustered[] {second, first}) {
      if (c != null) {
        await(c.vertx().close());
      }
    }
  }

  @AfterEach
  void stopJoiner() throws Exception {
    if (joiner != null) {
      await(joiner.vertx().close());
      joiner = null;
    }
  }

  @Override
  protected Vertx vertx() {
    return first.vertx();
  }

  @Override
  protected MembershipChange changeMembership(ClusterState state) throws Exception {
    joiner = member("node-4");
    return new MembershipChange(MembershipChange.Kind.JOINED, "node-4");
  }

  @Override
  protected ClusterState state() {
    // Counters are cluster-wide: give each test fresh names through a fresh prefix.
    return new PrefixedState(first.state(), "t" + (counterNames++) + ":");
  }

  @Test
  void countersAndLeasesAreSharedByTheMembers() throws Exception {
    ClusterState a = first.state();
    ClusterState b = second.state();
    assertTrue(await(a.tryAcquire("shared", 2)));
    assertTrue(await(b.tryAcquire("shared", 2)));
    assertFalse(await(a.tryAcquire("shared", 2)), "the limit holds across members");
    assertEquals(2L, await(b.count("shared")));

    assertTrue(await(a.acquireLease("task-1", Duration.ofSeconds(30))));
    assertFalse(await(b.acquireLease("task-1", Duration.ofSeconds(30))), "one holder at a time");
    await(a.releaseLease("task-1"));
    assertTrue(await(b.acquireLease("task-1", Duration.ofSeconds(30))));
    assertTrue(await(a.acquireLease("short", Duration.ofMillis(200))));
    TimeUnit.MILLISECONDS.sleep(300); // the lease's own expiry, the behaviour under test
    assertTrue(await(b.acquireLease("short", Duration.ofSeconds(30))), "an expired lease passes on");
  }

  @Test
  void aDeadMembersSharesAndLeasesAreFreedAndItsLeavingIsAnnounced() throws Exception {
    ClusterBootstrap.Clustered doomed = member("node-3");
    ClusterState a = first.state();
    CallerContext.Inbox<MembershipChange> changes = caller().inbox("the membership handler");
    caller().run(() -> a.onMembership(changes));
    assertTrue(await(doomed.state().tryAcquire("seats", 1)));
    assertTrue(await(doomed.state().acquireLease("task-2", Duration.ofMinutes(5))));
    assertFalse(await(a.tryAcquire("seats", 1)));
    assertFalse(await(a.acquireLease("task-2", Duration.ofMinutes(5))));

    long start = System.nanoTime();
    doomed.state().terminate(); // like kill -9 for Hazelcast: no goodbye
    changes.await(new MembershipChange(MembershipChange.Kind.LEFT, "node-3")::equals);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean freed = false;
    while (!freed && System.nanoTime() < deadline) {
      freed = await(a.count("seats")) == 0 && await(a.acquireLease("task-2", Duration.ofMinutes(5)));
      if (!freed) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    assertTrue(freed, "shares and leases of the dead member are released");
    System.out.printf("dead member cleaned up %d ms after it died%n", (System.nanoTime() - start) / 1_000_000);
    assertTrue(await(a.tryAcquire("seats", 1)));
    doomed.vertx().close();
  }

  @Test
  void kubernetesDiscoveryUsesTheServiceDnsName() {
    Config config = ClusterBootstrap.hazelcastConfig(new ClusterOptions("prod", List.of(),
        "chatcluster-hz.default.svc.cluster.local", "", 5701, "node-k"));
    assertTrue(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    assertEquals("chatcluster-hz.default.svc.cluster.local",
        config.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"));
    assertFalse(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertEquals("prod", config.getClusterName());
  }

  /** One member's state with counter and lease names under a prefix, so tests do not share them. */
  record PrefixedState(HazelcastClusterState d, String p) implements ClusterState {
    public String nodeId() { return d.nodeId(); }
    public io.vertx.core.Future<Boolean> tryAcquire(String c, long l) { return d.tryAcquire(p + c, l); }
    public io.vertx.core.Future<Void> release(String c) { return d.release(p + c); }
    public io.vertx.core.Future<Long> count(String c) { return d.count(p + c); }
    public io.vertx.core.Future<List<NodeInfo>> nodes() { return d.nodes(); }
    public io.vertx.core.Future<Void> publish(NodeInfo self) { return d.publish(self); }
    public void onMembership(io.vertx.core.Handler<MembershipChange> h) { d.onMembership(h); }
    public io.vertx.core.Future<Boolean> acquireLease(String n, Duration t) { return d.acquireLease(p + n, t); }
    public io.vertx.core.Future<Void> releaseLease(String n) { return d.releaseLease(p + n); }
    public boolean joined() { return d.joined(); }
  }
}
