package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three node processes (separate JVMs) and a real Redis: every contract command behaves across
 * nodes as on one node. Run once per way of forming the cluster (subclasses).
 */
@ExtendWith(RedisExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterContract {
  static final String CONFIG = """
      host: 127.0.0.1
      pingInterval: 5
      channels:
        - name: "hist-*"
          persistent: true
          historySize: 100
        - name: lobby
          presence: true
        - name: small
          maxClients: 2
      """;

  Vertx vertx;
  TestRedis redis;
  String prefix;
  final List<NodeProcess> nodes = new ArrayList<>();
  final int[] ports = new int[3];
  final List<WsClient> clients = new ArrayList<>();

  /** Environment that node {@code i} gets besides Redis and its ports. */
  abstract Map<String, String> clusterEnv(int i) throws Exception;

  @BeforeAll
  void startCluster(TestRedis shared) throws Exception {
    vertx = Vertx.vertx();
    redis = shared;
    prefix = "it-" + Ids.random(6) + ":";
    Path config = Files.createTempFile("cluster-it", ".yaml");
    Files.writeString(config, CONFIG);
    for (int i = 0; i < 3; i++) {
      ports[i] = NodeProcess.freePort();
      Map<String, String> env = new java.util.HashMap<>(clusterEnv(i));
      env.putAll(Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", prefix,
          "WEBSOCKET_PORT", String.valueOf(ports[i]), "NODE_ID", "node-" + "ABC".charAt(i)));
      nodes.add(NodeProcess.start(env, "--config", config.toString()));
    }
    for (int i = 0; i < 3; i++) {
      nodes.get(i).awaitReady(ports[i], Duration.ofSeconds(60));
    }
  }

  @AfterAll
  void stopCluster() {
    clients.forEach(WsClient::close);
    nodes.forEach(NodeProcess::close);
    vertx.close();
  }

  WsClient open(int node, String user) {
    WsClient c = WsClient.to(vertx, ports[node]).uri("/ws?user=" + user + "&device=" + user + "-d").open();
    clients.add(c);
    return c;
  }

  static boolean pause() {
    try {
      Thread.sleep(100); // polling a bounded deadline, not waiting for a fixed time
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static JsonObject cmd(String type, String channel) {
    return new JsonObject().put("type", type).put("channel", channel);
  }

  @Test
  @Order(1)
  void publishOnNodeAReachesSubscribersOnBAndCOnceEachInOrder() {
    WsClient pub = open(0, "pub");
    WsClient onB = open(1, "sub-b");
    WsClient onC = open(2, "sub-c");
    for (WsClient c : List.of(pub, onB, onC)) {
      c.ok(cmd("subscribe", "room"));
    }
    for (int i = 1; i <= 50; i++) {
      assertEquals(i, pub.ok(cmd("publish", "room").put("data", i)).getLong("offset"));
    }
    for (WsClient c : List.of(pub, onB, onC)) {
      for (int i = 1; i <= 50; i++) {
        JsonObject m = c.take("message");
        assertEquals(i, m.getInteger("data"));
        assertEquals(i, m.getLong("offset"));
      }
      c.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(200));
    }
  }

  @Test
  @Order(2)
  void aNodeWithoutSubscribersOfAChannelHoldsNoRedisSubscriptionForIt() {
    WsClient a1 = open(0, "q1");
    WsClient a2 = open(0, "q2");
    WsClient b1 = open(1, "q3");
    WsClient c1 = open(2, "q4");
    for (WsClient c : List.of(a1, a2, b1)) {
      c.ok(cmd("subscribe", "quiet"));
    }
    // One subscription per node holding subscribers (A has two clients, C none): 2, not 3 or 4.
    Request numsub = Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(new chatcluster.node.redis.RedisKeys(prefix).channel("quiet"));
    Redis client = Redis.createClient(vertx, redis.url());
    try {
      long count = client.send(numsub).toCompletionStage().toCompletableFuture().get().get(1).toLong();
      assertEquals(2, count);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      client.close();
    }
    a1.ok(cmd("publish", "quiet").put("data", "x"));
    b1.take("message");
    c1.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(300));
  }

  @Test
  @Order(3)
  void presenceAndJoinLeaveAreClusterWide() {
    WsClient a = open(0, "ann");
    a.ok(cmd("subscribe", "lobby"));
    a.take("join");
    WsClient b = open(1, "ben");
    b.ok(cmd("subscribe", "lobby"));
    WsClient c = open(2, "cat");
    c.ok(cmd("subscribe", "lobby"));
    // Joins from two nodes may arrive in either order.
    assertEquals(Set.of("ben", "cat"), Set.of(a.take("join").getString("user"), a.take("join").getString("user")));
    JsonObject p = c.ok(cmd("presence", "lobby"));
    assertEquals(3, p.getInteger("count"));
    JsonArray members = p.getJsonArray("members");
    assertEquals(List.of("ann@node-A", "ben@node-B", "cat@node-C"), members.stream()
        .map(m -> ((JsonObject) m).getString("user") + "@" + ((JsonObject) m).getString("node")).toList());
    b.ok(cmd("unsubscribe", "lobby"));
    assertEquals("ben", c.take("leave").getString("user"));
    assertEquals(2, a.ok(cmd("presence", "lobby")).getInteger("count"));
  }

  @Test
  @Order(4)
  void maxClientsHoldsForTheWholeCluster() {
    WsClient a = open(0, "s1");
    WsClient b = open(1, "s2");
    WsClient c = open(2, "s3");
    a.ok(cmd("subscribe", "small"));
    b.ok(cmd("subscribe", "small"));
    assertEquals("channel_full", c.errorCode(cmd("subscribe", "small")));
    a.ok(cmd("unsubscribe", "small"));
    c.ok(cmd("subscribe", "small"));
  }

  @Test
  @Order(5)
  void sendReachesAUserOrDeviceOnWhicheverNodeHoldsIt() {
    WsClient alice = open(0, "alice");
    WsClient bobOnB = WsClient.to(vertx, ports[1]).uri("/ws?user=bob&device=bob-phone").open();
    WsClient bobOnC = WsClient.to(vertx, ports[2]).uri("/ws?user=bob&device=bob-laptop").open();
    clients.add(bobOnB);
    clients.add(bobOnC);
    assertEquals(2, alice.ok(new JsonObject().put("type", "send").put("to", new JsonObject().put("user", "bob"))
        .put("data", "hi bob")).getInteger("delivered"));
    assertEquals("alice", bobOnB.take("direct").getJsonObject("from").getString("user"));
    assertEquals("hi bob", bobOnC.take("direct").getString("data"));
    assertEquals(1, alice.ok(new JsonObject().put("type", "send").put("to", new JsonObject()
        .put("device", "bob-laptop")).put("data", 2)).getInteger("delivered"));
    assertEquals(2, bobOnC.take("direct").getInteger("data"));
    bobOnB.assertNone(f -> "direct".equals(f.getString("type")), Duration.ofMillis(200));
    assertEquals("not_found", alice.errorCode(new JsonObject().put("type", "send")
        .put("to", new JsonObject().put("user", "nobody")).put("data", 1)));
  }

  @Test
  @Order(6)
  void recoveryBySinceOnAnotherNodeReturnsExactlyTheMissedMessages() {
    WsClient pub = open(0, "rpub");
    pub.ok(cmd("subscribe", "hist-move"));
    WsClient sub = open(1, "rsub");
    JsonObject first = sub.ok(cmd("subscribe", "hist-move"));
    for (int i = 1; i <= 3; i++) {
      pub.ok(cmd("publish", "hist-move").put("data", "m" + i));
      assertEquals(i, sub.take("message").getLong("offset"));
    }
    sub.close();
    for (int i = 4; i <= 6; i++) {
      pub.ok(cmd("publish", "hist-move").put("data", "m" + i));
    }
    WsClient moved = open(2, "rsub");
    JsonObject ack = moved.ok(cmd("subscribe", "hist-move")
        .put("since", new JsonObject().put("offset", 3).put("epoch", first.getString("epoch"))));
    assertTrue(ack.getBoolean("recovered"));
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      got.add(moved.take("message").getString("data"));
    }
    assertEquals(List.of("m4", "m5", "m6"), got);
    moved.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(200));
  }

  @Test
  @Order(7)
  void killingANodeRemovesItsPresenceAndCounterSharesWithinTenSeconds() throws Exception {
    WsClient watcher = open(0, "watcher");
    watcher.ok(cmd("subscribe", "lobby"));
    WsClient doomed = open(2, "doomed");
    doomed.ok(cmd("subscribe", "lobby"));
    WsClient doomedSmall = open(2, "doomed2");
    Set<String> before = watcher.ok(cmd("presence", "lobby")).getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("user")).collect(Collectors.toSet());
    assertTrue(before.contains("doomed"));
    // "small" holds c (order 4) on node C and one slot on A or B: fill it from C.
    WsClient b = open(1, "s-b");
    String full = b.errorCode(cmd("subscribe", "small"));
    assertEquals("channel_full", full);

    long killedAt = System.nanoTime();
    nodes.get(2).process().destroyForcibly(); // kill -9
    JsonObject leave = watcher.take(f -> "leave".equals(f.getString("type")) && "doomed".equals(f.getString("user")));
    long ms = (System.nanoTime() - killedAt) / 1_000_000;
    assertTrue(ms < 10_000, "leave after " + ms + " ms");
    assertEquals("lobby", leave.getString("channel"));
    Set<String> after = watcher.ok(cmd("presence", "lobby")).getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("user")).collect(Collectors.toSet());
    assertFalse(after.contains("doomed"));
    // Node C's share of the counter is released within the same ten seconds.
    JsonObject reply;
    do {
      reply = b.call(cmd("subscribe", "small"));
    } while ("channel_full".equals(reply.getString("code")) && System.nanoTime() - killedAt < 10_000_000_000L
        && pause());
    assertEquals("ack", reply.getString("type"), reply::encode);
    System.out.printf("%s: presence cleaned %d ms, counter share %d ms after kill -9%n", getClass().getSimpleName(),
        ms, (System.nanoTime() - killedAt) / 1_000_000);
    assertFalse(doomedSmall == null);
  }
}
