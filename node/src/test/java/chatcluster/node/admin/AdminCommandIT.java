package chatcluster.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code java -jar chatcluster-node.jar admin …} against a node started from the same jar. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCommandIT {
  static final String TOKEN = "cli-admin-token-" + Ids.random(10);
  Vertx vertx;
  NodeProcess node;
  int port;
  String url;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    port = NodeProcess.freePort();
    url = "http://127.0.0.1:" + port;
    Path config = Files.createTempFile("admin-cli", ".yaml");
    Files.writeString(config, "channels:\n  - name: \"room-*\"\n    persistent: true\n    presence: true\n");
    node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port, "NODE_ID", "cli-node",
        "ADMIN_TOKEN", TOKEN, "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "TASKS_FILE",
        config.resolveSibling("tasks-" + Ids.random(4) + ".json").toString()), "--config", config.toString());
    node.awaitReady(port, Duration.ofSeconds(60));
  }

  @AfterAll
  void stop() {
    node.close();
    vertx.close();
  }

  /** Runs the jar's admin subcommand to its end; returns its output after checking its exit status. */
  String admin(int expectedStatus, Map<String, String> env, String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "admin";
    System.arraycopy(args, 0, all, 1, args.length);
    try (NodeProcess p = NodeProcess.start(env, all)) {
      int status = p.awaitExit(Duration.ofSeconds(30));
      assertEquals(expectedStatus, status, p::output);
      return p.output();
    }
  }

  WsClient client(String user) {
    return WsClient.to(vertx, port).uri("/ws?user=" + user + "&device=" + user + "-d").open();
  }

  @Test
  void nodesUsersChannelsPublishAndDisconnectFromTheCommandLine() throws Exception {
    WsClient hank = client("hank");
    hank.ok(new JsonObject().put("type", "subscribe").put("channel", "room-cli"));
    String nodes = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "nodes", "--url", url);
    assertTrue(nodes.contains("NODE") && nodes.contains("CONNECTIONS"), nodes);
    assertTrue(nodes.lines().anyMatch(l -> l.startsWith("cli-node ") && l.contains(" ready ")), nodes);
    assertTrue(nodes.contains("1 connection(s) on 1 node(s)"), nodes);

    String json = admin(0, Map.of(), "nodes", "--url", url, "--token", TOKEN, "--json");
    assertEquals(1, new JsonObject(json.substring(json.indexOf('{'))).getInteger("connections"), json);

    String channels = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "channels", "--prefix", "room-", "--url", url);
    assertTrue(channels.lines().anyMatch(l -> l.startsWith("room-cli ") && l.contains(" 1 ")), channels);

    String user = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "user", "hank", "--url", url);
    assertTrue(user.contains("hank-d") && user.contains("room-cli") && user.contains("1 session(s) of hank"), user);

    String published = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "publish", "room-cli", "{\"notice\":\"hi\"}", "--url", url);
    assertTrue(published.contains("published on room-cli at offset 1"), published);
    assertEquals("hi", hank.take("message").getJsonObject("data").getString("notice"));

    String channel = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "channel", "room-cli", "--url", url);
    assertTrue(channel.contains("1 subscriber(s)") && channel.contains("{\"notice\":\"hi\"}"), channel);

    String closed = admin(0, Map.of("ADMIN_TOKEN", TOKEN), "disconnect", "--user", "hank", "--code", "4001",
        "--reason", "go away", "--url", url);
    assertTrue(closed.contains("closed 1 session(s) with 4001"), closed);
    assertEquals(4001, hank.closeCode());
  }

  @Test
  void aWrongTokenFailsWithStatusOneAndAMissingOneWithTwo() throws Exception {
    String refused = admin(1, Map.of(), "nodes", "--url", url, "--token", "not-the-token");
    assertTrue(refused.contains("401"), refused);
    String usage = admin(2, Map.of(), "nodes", "--url", url);
    assertTrue(usage.contains("--token") && usage.contains("usage:"), usage);
  }
}
