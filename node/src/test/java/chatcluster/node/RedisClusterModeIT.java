package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.TestRedisCluster;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on a Redis Cluster of three masters: fan-out, history, presence, routed sends and
 * scheduled tasks work across the nodes, and each channel's pub/sub lives on one shard only (sharded
 * pub/sub), not on every shard as classic pub/sub would.
 */
class RedisClusterModeIT {

  private static final String RELAY_KEY = "rc-relay-key-0123456789";

  @Test
  void threeNodesWorkOnARedisClusterWithEachChannelOnOneShard() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path config = Files.createTempFile("redis-cluster", ".yaml");
    Files.writeString(config, """
        host: 127.0.0.1
        channels:
          - name: "hist-*"
            persistent: true
          - name: lobby
            presence: true
        """);
    String prefix = "rc:";
    try (TestRedisCluster redis = TestRedisCluster.start(3, 0); TestApi api = new TestApi()) {
      List<NodeProcess> nodes = new ArrayList<>();
      int[] ports = new int[3];
      int[] relayPorts = new int[3];
      try {
        for (int i = 0; i < 3; i++) {
          ports[i] = NodeProcess.freePort();
          relayPorts[i] = NodeProcess.freePort();
          nodes.add(NodeProcess.start(Map.of("REDIS_CLUSTER_NODES", redis.nodeList(), "REDIS_PREFIX", prefix,
              "WEBSOCKET_PORT", String.valueOf(ports[i]), "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "NODE_ID", "rc-" + i,
              "API_BASE_URL", api.baseUrl(), "RELAY_HTTP_PORT", String.valueOf(relayPorts[i]), "RELAY_API_KEY", RELAY_KEY),
              "--config", config.toString()));
        }
        for (int i = 0; i < 3; i++) {
          nodes.get(i).awaitReady(ports[i], Duration.ofSeconds(60));
        }
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          clients.add(WsClient.to(vertx, ports[i]).uri("/ws?user=u" + i + "&device=d" + i).open());
        }
        List<String> channels = List.of("hist-a", "hist-b", "hist-c", "hist-d", "hist-e", "hist-f");
        for (String channel : channels) {
          for (WsClient c : clients) {
            c.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
          }
        }
        for (String channel : channels) {
          clients.get(0).ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", channel));
          for (WsClient c : clients) {
            JsonObject m = c.take(f -> "message".equals(f.getString("type")) && channel.equals(f.getString("channel")));
            assertEquals(channel, m.getString("data"));
            assertEquals(1L, m.getLong("offset"));
          }
          JsonObject history = clients.get(2).ok(new JsonObject().put("type", "history").put("channel", channel));
          assertEquals(1, history.getJsonArray("messages").size(), "history on another node");
        }

        // Sharded pub/sub: each channel's subscriptions (one per node) sit on exactly one master.
        RedisKeys keys = new RedisKeys(prefix);
        List<TestRedis> masters = redis.masters();
        assertEquals(3, masters.size());
        List<Integer> shardsUsed = new ArrayList<>();
        for (String channel : channels) {
          int holding = 0;
          for (int m = 0; m < masters.size(); m++) {
            String out = TestRedisCluster.cli(masters.get(m).port(), "PUBSUB", "SHARDNUMSUB", keys.channel(channel));
            long count = Long.parseLong(out.lines().toList().get(1).trim());
            if (count > 0) {
              assertEquals(3, count, "one subscription per node: " + out);
              holding++;
              if (!shardsUsed.contains(m)) {
                shardsUsed.add(m);
              }
            }
          }
          assertEquals(1, holding, "channel " + channel + " is on one shard only");
        }
        assertTrue(shardsUsed.size() > 1, "the channels spread over several shards: " + shardsUsed);
        // The relay API lists them from every master's sharded channels, with the nodes subscribed.
        HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relayPorts[1] + "/api/channels"))
            .header("Authorization", "Bearer " + RELAY_KEY).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listed.statusCode(), listed.body());
        JsonArray active = new JsonObject(listed.body()).getJsonArray("channels");
        for (String channel : channels) {
          JsonObject entry = active.stream().map(JsonObject.class::cast).filter(c -> channel.equals(c.getString("name")))
              .findFirst().orElseThrow(() -> new AssertionError(channel + " not listed: " + listed.body()));
          assertEquals(3, entry.getLong("nodes"), listed.body());
        }

        for (WsClient c : clients) {
          c.ok(new JsonObject().put("type", "subscribe").put("channel", "lobby"));
        }
        JsonObject presence = clients.get(1).ok(new JsonObject().put("type", "presence").put("channel", "lobby"));
        assertEquals(3, presence.getInteger("count"), "presence across nodes");

        JsonObject sent = clients.get(0).ok(new JsonObject().put("type", "send")
            .put("to", new JsonObject().put("device", "d2")).put("data", "hello d2"));
        assertEquals(1, sent.getInteger("delivered"));
        assertEquals("hello d2", clients.get(2).take("direct").getString("data"));

        String task = clients.get(1).ok(new JsonObject().put("type", "request").put("method", "GET")
            .put("path", "/count").put("interval", 1)).getString("task");
        JsonObject run = clients.get(1).take(f -> "task".equals(f.getString("type")));
        assertEquals(task, run.getString("task"));
        assertEquals(200, run.getInteger("status"));
        clients.forEach(WsClient::close);
      } finally {
        nodes.forEach(NodeProcess::close);
      }
    } finally {
      vertx.close();
    }
  }
}
