package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.RelaySocket;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backend relay (PROTOCOL.md section 5) on two node processes sharing a real Redis. */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayIT {
  static final String KEY = "relay-test-key-" + Ids.random(8);
  static final Duration QUIET = Duration.ofMillis(300);

  Vertx vertx;
  Path dir;
  Path socketA;
  Path socketB;
  int wsA;
  int apiA;
  int wsB;
  NodeProcess a;
  NodeProcess b;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(TestRedis redis) throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("relay-it");
    socketA = dir.resolve("a.sock");
    socketB = Files.createDirectories(dir.resolve("run")).resolve("b.sock");
    wsA = NodeProcess.freePort();
    apiA = NodeProcess.freePort();
    wsB = NodeProcess.freePort();
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "host: 127.0.0.1\nchannels:\n  - name: \"hist-*\"\n    persistent: true\n"
        + "  - name: private-vip\n    private: true\n");
    String prefix = "relay-" + Ids.random(5) + ":";
    Map<String, String> common = Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", prefix, "RELAY_API_KEY", KEY);
    Map<String, String> envA = new HashMap<>(common);
    envA.putAll(Map.of("WEBSOCKET_PORT", "" + wsA, "RELAY_HTTP_PORT", "" + apiA, "RELAY_SOCKET", socketA.toString(),
        "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "NODE_ID", "node-A"));
    Map<String, String> envB = new HashMap<>(common);
    envB.putAll(Map.of("WEBSOCKET_PORT", "" + wsB, "RELAY_SOCKET", socketB.toString(), "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "NODE_ID", "node-B"));
    a = NodeProcess.start(envA, "--config", config.toString());
    b = NodeProcess.start(envB, "--config", config.toString());
    a.awaitReady(wsA, Duration.ofSeconds(60));
    b.awaitReady(wsB, Duration.ofSeconds(60));
  }

  @AfterAll
  void stop() {
    a.close();
    b.close();
    vertx.close();
  }

  WsClient device(int port, String device) {
    return WsClient.to(vertx, port).uri("/ws?device=" + device + "&user=u-" + device).open();
  }

  HttpResponse<String> api(int port, String method, String path, String body, String key) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (key != null) {
      req.header("Authorization", "Bearer " + key);
    }
    req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends one action through an interface and returns the answer ("OK", or the error). */
  interface Relay {
    String send(JsonObject action) throws Exception;
  }

  Relay socket(Path path) {
    return action -> {
      try (RelaySocket s = new RelaySocket(path)) {
        s.write(action.encode() + "\n");
        return s.readAnswer(true).trim();
      }
    };
  }

  Relay http(int port) {
    return action -> {
      HttpResponse<String> r = api(port, "POST", "/api/relay", action.encode(), KEY);
      JsonObject body = new JsonObject(r.body());
      return body.getBoolean("ok") ? "OK" : r.statusCode() + " " + body.getString("error");
    };
  }

  static Predicate<JsonObject> type(String t) {
    return f -> t.equals(f.getString("type"));
  }

  @Test
  void everyActionOverEveryInterfaceReachesTheRightConnectionsOnBothNodes() throws Exception {
    Map<String, Relay> interfaces = Map.of("socket on A", socket(socketA), "socket on B", socket(socketB),
        "HTTP on A's own port", http(apiA), "HTTP on B's WebSocket port", http(wsB));
    for (Map.Entry<String, Relay> entry : interfaces.entrySet()) {
      String via = entry.getKey();
      Relay relay = entry.getValue();
      String run = Ids.random(4);
      WsClient oneOnA = device(wsA, "d1-" + run);
      WsClient twoOnB = device(wsB, "d2-" + run);
      WsClient twoAgainOnA = device(wsA, "d2-" + run);
      WsClient bystander = device(wsB, "d3-" + run);
      List<WsClient> all = List.of(oneOnA, twoOnB, twoAgainOnA, bystander);
      String news = "news-" + run;
      oneOnA.ok(new JsonObject().put("type", "subscribe").put("channel", news));
      twoOnB.ok(new JsonObject().put("type", "subscribe").put("channel", news));

      assertEquals("OK", relay.send(new JsonObject().put("action", "multicast").put("data", via)), via);
      for (WsClient c : all) {
        assertEquals(via, c.take(type("broadcast")).getString("data"), via);
      }

      assertEquals("OK", relay.send(new JsonObject().put("action", "sendToChannel").put("channel", news)
          .put("data", "headline")), via);
      for (WsClient c : List.of(oneOnA, twoOnB)) {
        JsonObject m = c.take(type("message"));
        assertEquals("headline", m.getString("data"), via);
        assertEquals("server", m.getJsonObject("from").getString("user"));
      }

      assertEquals("OK", relay.send(new JsonObject().put("action", "sendToDevice").put("device", "d2-" + run)
          .put("data", "for two")), via);
      assertEquals("for two", twoOnB.take(type("direct")).getString("data"), via);
      assertEquals("for two", twoAgainOnA.take(type("direct")).getString("data"), via);

      String orders = "orders-" + run;
      assertEquals("OK", relay.send(new JsonObject().put("action", "subscribe").put("device", "d2-" + run)
          .put("channel", orders)), via);
      assertEquals(orders, twoOnB.take(type("subscribed")).getString("channel"), via);
      assertEquals(orders, twoAgainOnA.take(type("subscribed")).getString("channel"), via);
      relay.send(new JsonObject().put("action", "sendToChannel").put("channel", orders).put("data", "order 1"));
      assertEquals("order 1", twoOnB.take(type("message")).getString("data"));
      assertEquals("order 1", twoAgainOnA.take(type("message")).getString("data"));
      assertEquals("OK", relay.send(new JsonObject().put("action", "unsubscribe").put("device", "d2-" + run)
          .put("channel", orders)), via);
      twoOnB.take(type("unsubscribed"));
      twoAgainOnA.take(type("unsubscribed"));
      relay.send(new JsonObject().put("action", "sendToChannel").put("channel", orders).put("data", "order 2"));

      // Nobody got what was not meant for them.
      for (WsClient c : all) {
        c.assertNone(f -> "order 2".equals(f.getValue("data")), QUIET);
      }
      oneOnA.assertNone(type("direct"), Duration.ZERO);
      bystander.assertNone(f -> type("direct").test(f) || type("message").test(f) || type("subscribed").test(f),
          Duration.ZERO);
      oneOnA.assertNone(type("subscribed"), Duration.ZERO);
      all.forEach(WsClient::close);
    }
  }

  @Test
  void aBareRequestGetsABareOkAndAConnectionCarriesManyRequests() throws Exception {
    WsClient target = device(wsB, "bare-target");
    try (RelaySocket s = new RelaySocket(socketA)) {
      s.write("{\"action\":\"sendToDevice\",\"device\":\"bare-target\",\"data\":1}");
      assertEquals("OK", s.readAnswer(false));
      s.write("{\"action\":\"sendToDevice\",\"device\":\"bare-target\",\"data\":2}\n"
          + "{\"action\":\"sendToDevice\",\"device\":\"bare-target\",\"data\":{\"x\":\"}{\"}}\n");
      assertEquals("OK\n", s.readAnswer(true));
      assertEquals("OK\n", s.readAnswer(true));
      s.write("{\"action\":\"nope\"}");
      assertEquals("ERR", s.readAnswer(false));
      assertEquals("", s.rest(), "a bare answer is exactly OK or ERR");
    }
    assertEquals(1, target.take(type("direct")).getInteger("data"));
    assertEquals(2, target.take(type("direct")).getInteger("data"));
    assertEquals("}{", target.take(type("direct")).getJsonObject("data").getString("x"));
    target.close();
  }

  @Test
  void badInputGetsAnErrorNamingItAndTheNextRequestStillWorks() throws Exception {
    WsClient target = device(wsA, "after-errors");
    try (RelaySocket s = new RelaySocket(socketB)) {
      String[][] cases = {
          {"not json at all", "ERR bad_request malformed JSON"},
          {"{\"action\":\"teleport\",\"data\":1}", "ERR unknown_type unknown action 'teleport'"},
          {"{\"action\":\"sendToDevice\",\"data\":1}", "ERR bad_request missing field 'device'"},
          {"{\"action\":\"sendToChannel\",\"channel\":\"bad name!\",\"data\":1}", "ERR bad_request invalid channel name"},
          {"{\"action\":\"sendToDevice\",\"device\":\"nobody-here\",\"data\":1}",
              "ERR not_found device 'nobody-here' is not connected"},
          {"[]", "ERR bad_request empty array of actions"},
      };
      for (String[] c : cases) {
        s.write(c[0] + "\n");
        String answer = s.readAnswer(true);
        assertTrue(answer.startsWith(c[1]), c[0] + " -> " + answer);
        s.write("{\"action\":\"sendToDevice\",\"device\":\"after-errors\",\"data\":\"still works\"}\n");
        assertEquals("OK\n", s.readAnswer(true));
        assertEquals("still works", target.take(type("direct")).getString("data"));
      }
      // Over the size limit: an error, then the connection ends (it cannot be resynchronised).
      s.write("{\"action\":\"multicast\",\"data\":\"" + "x".repeat(1_100_000));
      assertTrue(s.readAnswer(true).startsWith("ERR too_large"));
    }
    try (RelaySocket s = new RelaySocket(socketB)) {
      s.write("{\"action\":\"sendToDevice\",\"device\":\"after-errors\",\"data\":\"new connection\"}\n");
      assertEquals("OK\n", s.readAnswer(true));
    }
    HttpResponse<String> malformed = api(apiA, "POST", "/api/relay", "{oops", KEY);
    assertEquals(400, malformed.statusCode());
    assertEquals("bad_request", new JsonObject(malformed.body()).getString("error"));
    HttpResponse<String> missing = api(apiA, "POST", "/api/relay", "[{\"action\":\"multicast\",\"data\":1},"
        + "{\"action\":\"sendToDevice\",\"device\":\"ghost\",\"data\":1}]", KEY);
    assertEquals(404, missing.statusCode());
    assertTrue(new JsonObject(missing.body()).getString("message").startsWith("action [1]:"), missing.body());
    HttpResponse<String> huge = api(apiA, "POST", "/api/relay", "{\"action\":\"multicast\",\"data\":\""
        + "x".repeat(1_100_000) + "\"}", KEY);
    assertEquals(413, huge.statusCode());
    assertEquals("OK", http(apiA).send(new JsonObject().put("action", "sendToDevice").put("device", "after-errors")
        .put("data", "http still works")));
    assertEquals("new connection", target.take(type("direct")).getString("data"));
    assertEquals("http still works", target.take(type("direct")).getString("data"));
    target.close();
  }

  @Test
  void theApiRefusesAMissingOrWrongKeyAndLivesOnItsOwnPort() throws Exception {
    for (String path : List.of("/api/relay", "/api/nodes", "/api/channels", "/api/stats")) {
      String method = path.equals("/api/relay") ? "POST" : "GET";
      String body = method.equals("POST") ? "{\"action\":\"multicast\",\"data\":1}" : null;
      assertEquals(401, api(apiA, method, path, body, null).statusCode(), path);
      HttpResponse<String> wrong = api(apiA, method, path, body, KEY + "x");
      assertEquals(401, wrong.statusCode(), path);
      assertEquals("unauthorized", new JsonObject(wrong.body()).getString("error"));
    }
    assertEquals(404, api(wsA, "GET", "/api/nodes", null, KEY).statusCode(), "A's API is not on its WebSocket port");
    assertEquals(200, api(wsB, "GET", "/api/nodes", null, KEY).statusCode());
  }

  @Test
  void readEndpointsDescribeTheCluster() throws Exception {
    WsClient c = device(wsB, "reader");
    c.ok(new JsonObject().put("type", "subscribe").put("channel", "hist-read"));
    c.ok(new JsonObject().put("type", "publish").put("channel", "hist-read").put("data", 1));
    JsonObject nodes = new JsonObject(api(apiA, "GET", "/api/nodes", null, KEY).body());
    List<String> ids = nodes.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("id")).toList();
    assertEquals(List.of("node-A", "node-B"), ids);
    JsonObject channels = new JsonObject(api(apiA, "GET", "/api/channels", null, KEY).body());
    JsonObject hist = channels.getJsonArray("channels").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("name").equals("hist-read")).findFirst().orElseThrow();
    assertEquals(1, hist.getInteger("nodes"));
    assertEquals(0, hist.getInteger("localSubscribers"), "the subscriber is on B, A answered");
    JsonObject one = new JsonObject(api(wsB, "GET", "/api/channels/hist-read", null, KEY).body());
    assertEquals(1, one.getInteger("localSubscribers"));
    assertEquals(1L, one.getLong("offset"));
    assertTrue(one.getJsonObject("options").getBoolean("persistent"));
    assertEquals(400, api(wsB, "GET", "/api/channels/bad%20name", null, KEY).statusCode());
    JsonObject stats = new JsonObject(api(wsB, "GET", "/api/stats", null, KEY).body());
    assertEquals("node-B", stats.getString("node"));
    assertTrue(stats.getJsonObject("metrics").getLong("messagesPublished") >= 1);
    c.close();
  }

  @Test
  void theSocketFileIsGroupOnlyAndAStaleOneIsReplaced() throws Exception {
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketA)));
    // A socket file left behind by a crash: bound, then abandoned without unlinking.
    Path stale = dir.resolve("stale.sock");
    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(stale));
    }
    assertTrue(Files.exists(stale));
    int port = NodeProcess.freePort();
    try (NodeProcess c = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port,
        "RELAY_SOCKET", stale.toString(), "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true"))) {
      c.awaitReady(port, Duration.ofSeconds(60));
      WsClient target = WsClient.to(vertx, port).uri("/ws?device=solo").open();
      try (RelaySocket s = new RelaySocket(stale)) {
        s.write("{\"action\":\"sendToDevice\",\"device\":\"solo\",\"data\":\"alone\"}");
        assertEquals("OK", s.readAnswer(false));
      }
      assertEquals("alone", target.take(type("direct")).getString("data"));
      assertTrue(c.output().contains("replacing stale relay socket"), c.output());
      target.close();
    }
    Path regular = dir.resolve("regular-file");
    Files.writeString(regular, "do not delete me");
    int port2 = NodeProcess.freePort();
    try (NodeProcess d = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port2,
        "RELAY_SOCKET", regular.toString()))) {
      assertEquals(1, d.awaitExit(Duration.ofSeconds(60)));
      assertTrue(d.output().contains("is not a socket"), d.output());
      assertEquals("do not delete me", Files.readString(regular));
    }
  }
}
