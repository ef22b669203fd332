package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's walkthrough on config/example.yaml, and the first things a user meets around it. */
class WalkthroughIT {
  private static final Path EXAMPLE = Path.of("..", "config", "example.yaml");
  private static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  private static JsonObject cmd(String type, String channel) {
    return new JsonObject().put("type", type).put("channel", channel);
  }

  @Test
  void exampleConfigAnswersPresenceAndHistoryOnRooms() throws Exception {
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.start(Map.of(), "--config", EXAMPLE.toString(), "--port", String.valueOf(port))) {
      node.awaitReady(port, Duration.ofSeconds(30));
      WsClient ann = WsClient.to(vertx, port).open();
      JsonObject sub = ann.ok(cmd("subscribe", "room-1"));
      ann.ok(cmd("publish", "room-1").put("data", "hi"));
      ann.take("message");
      JsonObject presence = ann.ok(cmd("presence", "room-1"));
      assertEquals(1, presence.getInteger("count"));
      JsonObject history = ann.ok(cmd("history", "room-1"));
      assertEquals("hi", history.getJsonArray("messages").getJsonObject(0).getString("data"));

      JsonObject otherEpoch = cmd("history", "room-1").put("since", new JsonObject().put("offset", 0).put("epoch", "old"));
      JsonObject refused = ann.call(otherEpoch);
      assertEquals("bad_request", refused.getString("code"));
      assertTrue(refused.getString("message").contains("is not the channel's epoch '" + sub.getString("epoch") + "'"),
          refused.encode());

      ann.ok(cmd("subscribe", "general"));
      JsonObject noPresence = ann.call(cmd("presence", "general"));
      assertTrue(noPresence.getString("message").contains("'presence: true' under 'channels'"), noPresence.encode());
      JsonObject noHistory = ann.call(cmd("history", "general"));
      assertTrue(noHistory.getString("message").contains("'persistent: true'"), noHistory.encode());
      JsonObject noTasks = ann.call(new JsonObject().put("type", "tasks"));
      assertEquals("unavailable", noTasks.getString("code"));
      assertTrue(noTasks.getString("message").contains("API_BASE_URL"), noTasks.encode());
      ann.close();

      HttpURLConnection get = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/ws").toURL().openConnection();
      assertEquals(426, get.getResponseCode());
      String body = new String(get.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(body.contains("WebSocket endpoint"), body);
    }
  }

  @Test
  void errorLogGetsWarningsAndDailyChannelGetsEverything() throws Exception {
    int port = NodeProcess.freePort();
    Path errors = dir.resolve("log/server_errors.log");
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", String.valueOf(port),
        "WEBSOCKET_MAX_CLIENTS", "1", "WEBSOCKET_ERROR_LOG", errors.toString(), "WEBSOCKET_LOG_CHANNEL", "daily"))) {
      node.awaitReady(port, Duration.ofSeconds(30));
      WsClient first = WsClient.to(vertx, port).open();
      WsClient second = WsClient.to(vertx, port).connect();
      assertEquals(1013, second.closeCode(Duration.ofSeconds(10)));
      first.close();
      Path daily = errors.resolveSibling("chatcluster-" + LocalDate.now() + ".log");
      String all = Files.readString(daily);
      assertTrue(all.contains("serving ws://127.0.0.1:" + port) && all.contains("node full"), all);
      String warnings = Files.readString(errors);
      assertTrue(warnings.contains("WARN") && warnings.contains("node full"), warnings);
      assertFalse(warnings.contains("INFO"), warnings);
      assertFalse(node.output().contains("serving"), "daily replaces stdout: " + node.output());
    }
  }

  @Test
  void websocketDisabledLeavesRelayAndHttpApiOnly() throws Exception {
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", String.valueOf(port),
        "WEBSOCKET_ENABLED", "false", "RELAY_API_KEY", "k"))) {
      node.awaitReady(port, Duration.ofSeconds(30));
      AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
          () -> WsClient.to(vertx, port).connect());
      assertTrue(String.valueOf(refused.getMessage()).contains("404"), refused.toString());
      assertEquals(404, NodeProcess.status(port, "/ws"));
      HttpURLConnection nodes = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/api/nodes").toURL()
          .openConnection();
      nodes.setRequestProperty("Authorization", "Bearer k");
      assertEquals(200, nodes.getResponseCode());
      assertTrue(node.output().contains("without a client endpoint"), node.output());
    }
  }
}
