package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a new user types first: --help, --version, token, and configurations that cannot work. */
class CommandLineIT {
  private static final String SECRET = "a-development-secret-of-32-chars-or-more";
  private static Vertx vertx;

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  /** Runs the jar to its end; returns its output (stdout and stderr) after checking its exit status. */
  private static String run(int expectedStatus, Map<String, String> env, String... args) throws Exception {
    try (NodeProcess p = NodeProcess.start(env, args)) {
      int status = p.awaitExit(Duration.ofSeconds(30));
      assertEquals(expectedStatus, status, p::output);
      return p.output();
    }
  }

  @Test
  void helpListsEveryOptionWithItsEnvironmentNameAndDefault() throws Exception {
    String help = run(0, Map.of(), "--help");
    assertTrue(help.startsWith("Usage: java -jar chatcluster-node.jar"), help);
    for (ConfigOption o : ConfigOption.values()) {
      assertTrue(help.contains(o.flag() + " "), o.flag());
      assertTrue(help.contains("env " + o.env()), o.env());
      o.envAliases().forEach(alias -> assertTrue(help.contains(" or " + alias), alias));
      assertTrue(help.contains("default " + (o.defaultValue().isEmpty() ? "(none)" : o.defaultValue())), o.key());
    }
    assertEquals(help, run(0, Map.of(), "-h"));
  }

  @Test
  void versionIsTheProjectVersion() throws Exception {
    String version = run(0, Map.of(), "--version").strip();
    assertTrue(version.matches("chatcluster-node \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .+\\)"), version);
  }

  @Test
  void mintedTokenIsAcceptedByANodeWithThatSecret() throws Exception {
    String token = run(0, Map.of(), "token", "--secret", SECRET, "--user", "ann", "--device", "d1",
        "--channels", "private-*", "--ttl", "1h").strip();
    assertEquals(3, token.split("\\.").length, token);
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT",
        String.valueOf(port), "WEBSOCKET_AUTH_ENABLED", "true", "WEBSOCKET_JWT_SECRET", SECRET))) {
      node.awaitReady(port, Duration.ofSeconds(30));
      WsClient ann = WsClient.to(vertx, port).header("Authorization", "Bearer " + token).connect();
      var welcome = ann.take("welcome");
      assertEquals("ann", welcome.getString("user"));
      assertEquals("d1", welcome.getString("device"));
      assertEquals("private-x", ann.ok(new io.vertx.core.json.JsonObject().put("type", "subscribe")
          .put("channel", "private-x")).getString("channel"), "the channels claim grants private-*");
      ann.close();
    }
    assertTrue(run(2, Map.of(), "token", "--secret", "short", "--user", "ann").contains("at least 32"));
  }

  @Test
  void configurationErrorsExitWithStatus2NamingOptionSourceAndCause() throws Exception {
    String redis = run(2, Map.of(), "--redis-url", "redis://:pw@127.0.0.1:99999");
    assertTrue(redis.contains("chatcluster: configuration error: invalid value 'redis://***@127.0.0.1:99999' for "
        + "redisUrl (REDIS_URL, --redis-url) from flag --redis-url") && redis.contains("port 99999 is out of range"), redis);

    String auth = run(2, Map.of("WEBSOCKET_AUTH_ENABLED", "true", "WEBSOCKET_PORT", "0"));
    assertTrue(auth.contains("chatcluster: configuration error: invalid value 'true' for auth.enabled "
        + "(WEBSOCKET_AUTH_ENABLED, --auth-enabled) from environment WEBSOCKET_AUTH_ENABLED"), auth);
    assertFalse(auth.contains(" ERROR "), "a configuration error, not a log line: " + auth);

    String file = run(2, Map.of(), "--config", "/nonexistent.yaml");
    assertTrue(file.contains("/nonexistent.yaml (--config) cannot be read: no such file or directory"), file);

    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String port = run(2, Map.of("WEBSOCKET_HOST", "127.0.0.1"), "--port", String.valueOf(taken.getLocalPort()));
      assertTrue(port.contains("for port (WEBSOCKET_PORT, --port) from flag --port: 127.0.0.1:"
          + taken.getLocalPort() + " is already in use"), port);
    }

    for (Map.Entry<String, String> bad : Map.of("TRUSTED_PROXIES", "notanip", "NODE_ID", "bad id with spaces",
        "ALLOWED_ORIGINS", "not-a-url", "WEBSOCKET_JWT_SECRET", "12345", "TASKS_FILE", "/proc/nope/tasks.json")
        .entrySet()) {
      String out = run(2, Map.of(bad.getKey(), bad.getValue()));
      assertTrue(out.contains("configuration error") && out.contains("from environment " + bad.getKey()), out);
    }
  }
}
