package chatcluster.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.SchemaCheck;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API on three nodes in this JVM sharing a real Redis: every route refuses a missing or
 * wrong credential, answers are for the whole cluster from any node and match the OpenAPI document,
 * and the actions reach sessions on every node. The drain comes last: it empties a node.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest {
  static final String TOKEN = "admin-test-token-" + Ids.random(12);
  static final int CHANNELS = 5000;

  final List<TestNode> nodes = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  JsonObject document;
  SchemaCheck schemas;

  @BeforeAll
  void start(TestRedis redis) {
    String prefix = "admin-" + Ids.random(6) + ":";
    for (int i = 0; i < 3; i++) {
      String id = "adm-" + i;
      nodes.add(TestNode.start(c -> c.set(ConfigOption.REDIS_URL, redis.url()).set(ConfigOption.REDIS_PREFIX, prefix)
          .set(ConfigOption.NODE_ID, id).set(ConfigOption.ADMIN_TOKEN, TOKEN).set(ConfigOption.EVENT_LOOPS, 2)
          .set(ConfigOption.MAX_SUBSCRIPTIONS, CHANNELS).set(ConfigOption.RATE_LIMIT, 0)));
      nodes.get(i).node.createChannel("room-*", ChannelOptions.builder().persistent(true).presence(true).build());
    }
    document = new JsonObject(OpenApiDocument.text());
    schemas = new SchemaCheck(document);
  }

  @AfterAll
  void stop() {
    nodes.forEach(TestNode::close);
  }

  // ------------------------------------------------------------------ HTTP

  record Answer(int status, JsonObject body) {}

  Answer call(int node, String method, String path, JsonObject body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(node).port() + path))
        .timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body()));
  }

  /** A call that must succeed and match the documented answer of its route. */
  JsonObject ok(int node, String method, String path, JsonObject body, String documentedPath) throws Exception {
    Answer a = call(node, method, path, body, TOKEN);
    assertEquals(200, a.status(), path + ": " + a.body());
    JsonObject schema = document.getJsonObject("paths").getJsonObject(documentedPath)
        .getJsonObject(method.toLowerCase()).getJsonObject("responses").getJsonObject("200")
        .getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
    assertEquals(List.of(), schemas.problems(a.body(), schema), path + " answer " + a.body());
    return a.body();
  }

  JsonObject get(int node, String path, String documentedPath) throws Exception {
    return ok(node, "GET", path, null, documentedPath);
  }

  WsClient client(int node, String user, String device) {
    return nodes.get(node).client().uri("/ws?user=" + user + "&device=" + device).open();
  }

  // ------------------------------------------------------------------ the document and the credential

  /** The routes as the router registers them, in the document's spelling ({name} for :name). */
  static Set<String> registeredRoutes() {
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      new AdminApi(vertx, null, null, new AdminCredential(TOKEN, null)).mount(router);
      Set<String> out = new TreeSet<>();
      for (Route r : router.getRoutes()) {
        String path = r.getPath();
        if (path == null || !path.startsWith(AdminApi.PREFIX + "/") || path.endsWith("/") || r.methods() == null) {
          continue;
        }
        for (var m : r.methods()) {
          out.add(m.name() + " " + path.replaceAll(":([A-Za-z]+)", "{$1}"));
        }
      }
      return out;
    } finally {
      vertx.close();
    }
  }

  Set<String> documentedRoutes() {
    Set<String> out = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        out.add(method.toUpperCase() + " " + path);
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void everyRouteTheRouterRegistersIsDocumented() {
    assertEquals(documentedRoutes(), registeredRoutes());
  }

  @Test
  @Order(2)
  void everyRouteRefusesAMissingOrWrongCredentialSayingNothingMore() throws Exception {
    List<String> routes = new ArrayList<>(documentedRoutes());
    routes.add("GET /admin/api/no-such-route");
    for (String route : routes) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[a-z]+}", "x");
      for (String token : new String[] {null, "wrong", TOKEN + "x", TOKEN.substring(1)}) {
        Answer a = call(0, method, path, method.equals("GET") || method.equals("DELETE") ? null : new JsonObject(), token);
        assertEquals(401, a.status(), route + " with " + token);
        assertEquals(new JsonObject().put("error", "unauthorized").put("message", "unauthorized"), a.body());
      }
    }
  }

  // ------------------------------------------------------------------ cluster-wide answers

  @Test
  @Order(3)
  void nodesAreListedFromAnyNodeWithTheirConnections() throws Exception {
    List<WsClient> opened = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k <= i; k++) {
        opened.add(client(i, "count-" + i + "-" + k, "d"));
      }
    }
    for (int asked = 0; asked < 3; asked++) {
      JsonObject answer = get(asked, "/admin/api/nodes", "/admin/api/nodes");
      JsonArray list = answer.getJsonArray("nodes");
      assertEquals(3, list.size(), answer.encodePrettily());
      for (int i = 0; i < 3; i++) {
        JsonObject n = list.getJsonObject(i);
        assertEquals("adm-" + i, n.getString("id"));
        assertEquals(i + 1, n.getInteger("connections"));
        assertEquals("ready", n.getString("state"));
        assertEquals("up", n.getString("redis"));
        assertEquals(2, n.getInteger("eventLoops"));
      }
      assertEquals(6, answer.getInteger("connections"));
    }
    opened.forEach(WsClient::close);
  }

  @Test
  @Order(4)
  void channelsPageOverFiveThousandChannelsWithClusterWideCounts() throws Exception {
    // Channel c-NNNN: on node 0 always, on node 1 too when NNNN is even.
    WsClient a = client(0, "pager-a", "pa");
    WsClient b = client(1, "pager-b", "pb");
    for (int i = 0; i < CHANNELS; i++) {
      a.send(new JsonObject().put("type", "subscribe").put("id", i).put("channel", String.format("c-%04d", i)));
      if (i % 2 == 0) {
        b.send(new JsonObject().put("type", "subscribe").put("id", i).put("channel", String.format("c-%04d", i)));
      }
    }
    Predicate<JsonObject> ack = f -> "ack".equals(f.getString("type"));
    a.takeAll(ack, CHANNELS, Duration.ofSeconds(60));
    b.takeAll(ack, CHANNELS / 2, Duration.ofSeconds(60));
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = get(2, "/admin/api/channels?prefix=c-&limit=500" + (cursor == null ? "" : "&cursor=" + cursor),
          "/admin/api/channels");
      for (Object o : page.getJsonArray("channels")) {
        JsonObject c = (JsonObject) o;
        int n = Integer.parseInt(c.getString("name").substring(2));
        assertEquals(n % 2 == 0 ? 2 : 1, c.getInteger("subscribers"), c.encode());
        seen.add(c.getString("name"));
      }
      cursor = page.getString("next");
      pages++;
    } while (cursor != null);
    assertEquals(10, pages);
    assertEquals(CHANNELS, seen.size());
    assertEquals(new TreeSet<>(seen).stream().toList(), seen);
    a.close();
    b.close();
  }

  @Test
  @Order(5)
  void oneChannelShowsSubscribersPerNodePresenceAndHistory() throws Exception {
    WsClient a = client(0, "ann", "ann-1");
    WsClient b = client(1, "bob", "bob-1");
    a.ok(new JsonObject().put("type", "subscribe").put("channel", "room-detail"));
    b.ok(new JsonObject().put("type", "subscribe").put("channel", "room-detail"));
    a.ok(new JsonObject().put("type", "publish").put("channel", "room-detail").put("data", "hello"));
    JsonObject c = get(2, "/admin/api/channels/room-detail?history=5", "/admin/api/channels/{name}");
    assertEquals(2, c.getInteger("subscribers"));
    assertEquals(1, c.getJsonObject("nodes").getInteger("adm-0"));
    assertEquals(1, c.getJsonObject("nodes").getInteger("adm-1"));
    assertEquals(2, c.getJsonObject("presence").getInteger("count"));
    assertEquals("hello", c.getJsonArray("history").getJsonObject(0).getString("data"));
    JsonObject listed = get(1, "/admin/api/channels?prefix=room-det", "/admin/api/channels");
    assertEquals(1, listed.getJsonArray("channels").size());
    assertEquals(2, listed.getJsonArray("channels").getJsonObject(0).getInteger("presence"));
    assertEquals(1, listed.getJsonArray("channels").getJsonObject(0).getLong("offset"));
    a.close();
    b.close();
  }

  @Test
  @Order(6)
  void aUsersSessionsOnTwoNodesAreListedAndDisconnectedWithTheCode() throws Exception {
    WsClient one = client(0, "carol", "phone");
    WsClient two = client(2, "carol", "laptop");
    two.ok(new JsonObject().put("type", "subscribe").put("channel", "room-carol"));
    JsonObject user = get(1, "/admin/api/users/carol", "/admin/api/users/{user}");
    JsonArray sessions = user.getJsonArray("sessions");
    assertEquals(2, sessions.size(), user.encodePrettily());
    Set<String> where = new TreeSet<>();
    for (Object o : sessions) {
      JsonObject s = (JsonObject) o;
      where.add(s.getString("node") + "/" + s.getString("device"));
      assertEquals("native", s.getString("protocol"));
      assertEquals("127.0.0.1", s.getString("address"));
      assertTrue(Math.abs(System.currentTimeMillis() - s.getLong("connectedSince")) < 60_000);
    }
    assertEquals(Set.of("adm-0/phone", "adm-2/laptop"), where);
    JsonObject done = ok(1, "POST", "/admin/api/users/carol/disconnect",
        new JsonObject().put("code", 4003).put("reason", "bye"), "/admin/api/users/{user}/disconnect");
    assertEquals(2, done.getInteger("closed"));
    assertEquals(4003, one.closeCode());
    assertEquals(4003, two.closeCode());
    assertEquals(0, get(0, "/admin/api/users/carol", "/admin/api/users/{user}").getJsonArray("sessions").size());
  }

  @Test
  @Order(7)
  void oneSessionIsDisconnectedByItsId() throws Exception {
    WsClient one = client(1, "dave", "d1");
    WsClient other = client(1, "dave", "d2");
    String session = get(0, "/admin/api/users/dave", "/admin/api/users/{user}").getJsonArray("sessions")
        .stream().map(o -> (JsonObject) o).filter(s -> s.getString("device").equals("d1")).findFirst().orElseThrow()
        .getString("session");
    JsonObject done = ok(2, "POST", "/admin/api/sessions/" + session + "/disconnect", new JsonObject().put("code", 4000),
        "/admin/api/sessions/{session}/disconnect");
    assertEquals(1, done.getInteger("closed"));
    assertEquals(4000, one.closeCode());
    assertFalse(other.isClosed());
    other.close();
  }

  @Test
  @Order(8)
  void publishReachesSubscribersOnEveryNode() throws Exception {
    List<WsClient> subscribers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsClient c = client(i, "sub-" + i, "sub-" + i);
      c.ok(new JsonObject().put("type", "subscribe").put("channel", "room-news"));
      subscribers.add(c);
    }
    JsonObject published = ok(1, "POST", "/admin/api/channels/room-news/publish",
        new JsonObject().put("data", new JsonObject().put("notice", "maintenance at 5")),
        "/admin/api/channels/{name}/publish");
    assertEquals(1, published.getLong("offset"));
    for (WsClient c : subscribers) {
      JsonObject m = c.take("message");
      assertEquals("maintenance at 5", m.getJsonObject("data").getString("notice"));
      assertEquals("server", m.getJsonObject("from").getString("user"));
      c.close();
    }
  }

  @Test
  @Order(9)
  void aUserIsUnsubscribedFromAChannelOnEveryNode() throws Exception {
    WsClient one = client(0, "erin", "e1");
    WsClient two = client(2, "erin", "e2");
    one.ok(new JsonObject().put("type", "subscribe").put("channel", "room-e"));
    two.ok(new JsonObject().put("type", "subscribe").put("channel", "room-e"));
    JsonObject done = ok(1, "POST", "/admin/api/users/erin/unsubscribe", new JsonObject().put("channel", "room-e"),
        "/admin/api/users/{user}/unsubscribe");
    assertEquals(2, done.getInteger("reached"));
    assertEquals("room-e", one.take("unsubscribed").getString("channel"));
    assertEquals("room-e", two.take("unsubscribed").getString("channel"));
    one.close();
    two.close();
  }

  @Test
  @Order(10)
  void badInputIsAFourHundredWithAJsonError() throws Exception {
    for (String[] bad : new String[][] {
        {"GET", "/admin/api/channels?limit=abc", null},
        {"GET", "/admin/api/channels?limit=0", null},
        {"GET", "/admin/api/channels/bad%20name", null},
        {"GET", "/admin/api/channels/room-x?history=1000", null},
        {"POST", "/admin/api/users/u/disconnect", "{\"code\":99}"},
        {"POST", "/admin/api/users/u/disconnect", "{not json"},
        {"POST", "/admin/api/users/u/unsubscribe", "{}"},
        {"POST", "/admin/api/channels/room-x/publish", "[1]"},
        {"POST", "/admin/api/channels/room-x/publish", "{}"}}) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).port() + bad[1]))
          .header("Authorization", "Bearer " + TOKEN)
          .method(bad[0], bad[2] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(bad[2]));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), bad[1] + " " + bad[2] + ": " + r.body());
      JsonObject error = new JsonObject(r.body());
      assertEquals("bad_request", error.getString("error"));
      assertNotNull(error.getString("message"));
    }
    assertEquals(404, call(0, "POST", "/admin/api/nodes/nobody/drain", new JsonObject(), TOKEN).status());
    assertEquals(404, call(0, "GET", "/admin/api/nothing-here", null, TOKEN).status());
  }

  @Test
  @Order(11)
  void tasksAndTheDocumentAnswerAsDocumented() throws Exception {
    JsonObject tasks = get(0, "/admin/api/tasks", "/admin/api/tasks");
    assertFalse(tasks.getBoolean("enabled"));
    assertEquals(404, call(0, "DELETE", "/admin/api/tasks/t-none", null, TOKEN).status());
    assertEquals(document, get(1, "/admin/api/openapi.json", "/admin/api/openapi.json"));
  }

  @Test
  @Order(20)
  void drainClosesANodesClientsWith1012AndTheNodeSaysDraining() throws Exception {
    WsClient c = client(2, "frank", "f1");
    JsonObject done = ok(0, "POST", "/admin/api/nodes/adm-2/drain", new JsonObject().put("window", 200),
        "/admin/api/nodes/{node}/drain");
    assertTrue(done.getBoolean("draining"));
    assertEquals(1012, c.closeCode());
    JsonObject answer = get(1, "/admin/api/nodes", "/admin/api/nodes");
    JsonObject drained = answer.getJsonArray("nodes").getJsonObject(2);
    assertEquals("draining", drained.getString("state"));
    assertNull(answer.getJsonArray("unreachable").stream().filter("adm-2"::equals).findFirst().orElse(null));
  }
}
