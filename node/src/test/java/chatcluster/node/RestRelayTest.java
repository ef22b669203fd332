package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-shot REST relay requests against a real HTTP API started by the test. */
class RestRelayTest {
  @TempDir
  static Path dir;
  static TestApi api;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    api = new TestApi();
    node = TestNode.start(c -> c.set(ConfigOption.API_BASE_URL, api.baseUrl()).set(ConfigOption.API_TIMEOUT, "0.5")
        .set(ConfigOption.API_HEADERS, "X-Api-Key: k-123").set(ConfigOption.API_MAX_PER_CONNECTION, 2)
        .set(ConfigOption.TASKS_FILE, dir.resolve("tasks.json").toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    api.close();
  }

  static JsonObject request(String method, String path) {
    return new JsonObject().put("type", "request").put("method", method).put("path", path);
  }

  @Test
  void oneShotGetAndPostWithABody() {
    WsClient c = node.open("shopper");
    JsonObject get = c.ok(request("GET", "/products/list").put("headers", new JsonObject().put("X-Client", "web")));
    assertEquals(200, get.getInteger("status"));
    assertTrue(get.getJsonObject("headers").getString("content-type").startsWith("application/json"));
    JsonObject body = get.getJsonObject("body");
    assertEquals(List.of("tea", "cake"), body.getJsonArray("products").getList());
    assertEquals("k-123", body.getString("apiKey"), "the node adds its configured headers");
    assertEquals("web", body.getString("client"), "and passes the client's own");

    JsonObject post = c.ok(request("POST", "/echo").put("body", new JsonObject().put("status", "pending")));
    assertEquals(201, post.getInteger("status"));
    assertEquals("POST", post.getJsonObject("body").getString("method"));
    assertEquals("application/json", post.getJsonObject("body").getString("contentType"));
    assertEquals(new JsonObject().put("status", "pending"), new JsonObject(post.getJsonObject("body").getString("body")));
  }

  @Test
  void apiErrorsAreResultsWithTheirStatus() {
    WsClient c = node.open();
    JsonObject missing = c.ok(request("GET", "/missing"));
    assertEquals(404, missing.getInteger("status"));
    assertEquals("no such thing", missing.getJsonObject("body").getString("error"));
    JsonObject boom = c.ok(request("DELETE", "/boom"));
    assertEquals(500, boom.getInteger("status"));
    assertEquals("boom", boom.getString("body"), "a non-JSON body is a string");
    assertEquals("hello", c.ok(request("GET", "/text")).getString("body"));
  }

  @Test
  void slowGarbageOversizedAndUnreachableApis() throws Exception {
    WsClient c = node.open();
    assertEquals("timeout", c.errorCode(request("GET", "/slow")));
    assertEquals("upstream_error", c.errorCode(request("GET", "/garbage")));
    assertEquals("upstream_error", c.errorCode(request("GET", "/big")));
    int closedPort = NodeProcess.freePort();
    try (TestNode down = TestNode.start(cfg -> cfg.set(ConfigOption.API_BASE_URL, "http://127.0.0.1:" + closedPort)
        .set(ConfigOption.TASKS_FILE, dir.resolve("down.json").toString()))) {
      JsonObject reply = down.open().call(request("GET", "/anything"));
      assertEquals("upstream_error", reply.getString("code"));
    }
  }

  @Test
  void everyUnsafePathOrHeaderIsRefusedBeforeAnythingIsSent() {
    WsClient c = node.open();
    int before = api.calls.size();
    List<String> paths = List.of("http://evil.example/x", "//evil.example/x", "products/list", "/../admin",
        "/%2e%2e/admin", "/a/%2E%2E/../admin", "/x\r\nHost: evil", "/x%0d%0aHost:%20evil", "/x\\..\\admin",
        "/x#fragment", "/" + "a".repeat(3000));
    List<String> notRefused = new ArrayList<>();
    for (String path : paths) {
      if (!"bad_request".equals(c.call(request("GET", path)).getString("code"))) {
        notRefused.add(path);
      }
    }
    assertEquals(List.of(), notRefused);
    List<JsonObject> headers = List.of(new JsonObject().put("Host", "evil.example"),
        new JsonObject().put("Connection", "close"), new JsonObject().put("Transfer-Encoding", "chunked"),
        new JsonObject().put("Upgrade", "websocket"), new JsonObject().put("X-Split", "a\r\nX-Injected: 1"),
        new JsonObject().put("Bad Name", "x"), new JsonObject().put("X-Number", 5));
    for (JsonObject h : headers) {
      assertEquals("bad_request", c.errorCode(request("GET", "/products/list").put("headers", h)), h::encode);
    }
    assertEquals("bad_request", c.errorCode(request("TRACE", "/products/list")));
    assertEquals(before, api.calls.size(), "the API saw none of them");
    // Inside the base path, dot segments are fine.
    assertEquals(200, c.ok(request("GET", "/echo/../products/list")).getInteger("status"));
  }

  @Test
  void onlyTheConfiguredMethodsAreAllowed() {
    try (TestNode readOnly = TestNode.start(c -> c.set(ConfigOption.API_BASE_URL, api.baseUrl())
        .set(ConfigOption.API_METHODS, "GET").set(ConfigOption.TASKS_FILE, dir.resolve("ro.json").toString()))) {
      WsClient c = readOnly.open();
      int before = api.calls.size();
      assertEquals("bad_request", c.errorCode(request("POST", "/echo").put("body", "x")));
      assertEquals("bad_request", c.errorCode(request("DELETE", "/echo")));
      assertEquals(before, api.calls.size());
      assertEquals(200, c.ok(request("GET", "/text")).getInteger("status"));
    }
  }

  @Test
  void aRequestWithoutIdIsStillAnsweredAndOldClientsOmitTheType() {
    WsClient c = node.open();
    c.send(new JsonObject().put("path", "/products/list").put("method", "GET"));
    JsonObject response = c.take("response");
    assertEquals(200, response.getInteger("status"));
    assertEquals("tea", response.getJsonObject("body").getJsonArray("products").getString(0));
    c.send(request("GET", "/boom"));
    assertEquals(500, c.take("response").getInteger("status"));
  }

  @Test
  void callsInFlightPerConnectionAreBounded() {
    WsClient c = node.open();
    for (int i = 0; i < 3; i++) {
      c.send(request("GET", "/slow").put("id", "s" + i));
    }
    JsonObject third = c.take(f -> "s2".equals(f.getValue("id")));
    assertEquals("rate_limited", third.getString("code"));
    assertEquals("timeout", c.take(f -> "s0".equals(f.getValue("id"))).getString("code"));
    c.take(f -> "s1".equals(f.getValue("id")));
    assertEquals(200, c.ok(request("GET", "/text")).getInteger("status"), "the slots are free again");
  }
}
