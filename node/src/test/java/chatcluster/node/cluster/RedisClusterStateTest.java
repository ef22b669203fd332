package chatcluster.node.cluster;

import static chatcluster.cluster.testing.CallerContext.await;

import chatcluster.cluster.ClusterState;
import chatcluster.cluster.MembershipContract;
import chatcluster.cluster.MembershipChange;
import chatcluster.node.config.Ids;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.TestShards;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster-state contract on a real Redis, each test under a key prefix of its own, with the node
 * registry's heartbeat making this node live.
 */
@ExtendWith(RedisExtension.class)
class RedisClusterStateTest extends MembershipContract {
  private static TestRedis redis;
  private static Vertx vertx;
  private TestShards redisShards;
  private RedisKeys keys;
  private RedisNodeRegistry registry;

  @BeforeAll
  static void start(TestRedis shared) {
    redis = shared;
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void startNode() throws Exception {
    redisShards = TestShards.start(vertx, redis);
    keys = new RedisKeys("cs-" + Ids.random(6) + ":");
    registry = new RedisNodeRegistry(vertx, redisShards.shards(), keys, "node-redis", (channel, session) -> io.vertx.core.Future.succeededFuture());
    redisShards.node().run(registry::start);
  }

  @AfterEach
  void stopNode() throws Exception {
    redisShards.node().call(registry::stop);
    redisShards.close();
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Override
  protected ClusterState state() {
    return new RedisClusterState(redisShards.shards(), keys, "node-redis");
  }

  /**
   * {@code cluster.deadAfter}: a node whose heartbeats stop is taken for dead once it has been silent
   * that long (not before: a late heartbeat is not a death), and within one more heartbeat's sweep.
   */
  @Test
  void aSilentNodeIsTakenForDeadAfterTheConfiguredWindow() throws Exception {
    java.time.Duration window = java.time.Duration.ofSeconds(4);
    RedisNodeRegistry watcher = new RedisNodeRegistry(vertx, redisShards.shards(), keys, "node-watcher",
        (channel, session) -> io.vertx.core.Future.succeededFuture(), window);
    java.util.concurrent.CompletableFuture<Long> gone = new java.util.concurrent.CompletableFuture<>();
    watcher.onNodeGone(n -> {
      if (n.equals("node-silent")) {
        gone.complete(System.nanoTime());
      }
    });
    // One heartbeat of a node that then goes silent (as kill -9 leaves it), as the registry writes it.
    redisShards.node().call(() -> redisShards.shards().forNodeKey(keys.nodes()).send(io.vertx.redis.client.Request.cmd(
        io.vertx.redis.client.Command.EVAL).arg(chatcluster.node.redis.RedisScripts.HEARTBEAT).arg(1)
        .arg(keys.nodes()).arg("node-silent")));
    long silentSince = System.nanoTime();
    redisShards.node().run(watcher::start);
    long after = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(gone.get(15, java.util.concurrent.TimeUnit.SECONDS)
        - silentSince);
    redisShards.node().call(watcher::stop);
    org.junit.jupiter.api.Assertions.assertTrue(after >= 3500 && after <= 4000 + 2000 + 1000,
        "taken for dead " + after + " ms after its last heartbeat (window 4 s, sweeps every 2 s)");
  }

  /** The registry's cleanup after a dead node, as its sweep or Hazelcast's membership would start it. */
  @Override
  protected MembershipChange changeMembership(ClusterState state) throws Exception {
    registry.onNodeGone(((RedisClusterState) state)::nodeLeft);
    redisShards.node().run(() -> registry.cleanUpAfter("node-gone"));
    return new MembershipChange(MembershipChange.Kind.LEFT, "node-gone");
  }
}
