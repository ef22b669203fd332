package chatcluster.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chatcluster.node.auth.JwtVerifiers;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The admin API on a node alone (the embedded default, no Redis), and JWTs with an admin claim. */
class AdminAloneTest {
  static final String TOKEN = "alone-admin-token-" + Ids.random(8);
  static final String SECRET = "a-jwt-secret-of-at-least-32-characters-" + Ids.random(4);
  final HttpClient http = HttpClient.newHttpClient();

  int status(TestNode node, String method, String path, String token, JsonObject[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (body != null) {
      body[0] = new JsonObject(r.body());
    }
    return r.statusCode();
  }

  @Test
  void aNodeAloneAnswersForItselfAndDisconnects() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.ADMIN_TOKEN, TOKEN).set(ConfigOption.NODE_ID, "solo"))) {
      WsClient one = node.open("gina");
      WsClient two = node.open("gina");
      JsonObject[] answer = new JsonObject[1];
      assertEquals(200, status(node, "GET", "/admin/api/nodes", TOKEN, answer));
      assertEquals(1, answer[0].getJsonArray("nodes").size());
      assertEquals(2, answer[0].getJsonArray("nodes").getJsonObject(0).getInteger("connections"));
      assertEquals("none", answer[0].getJsonArray("nodes").getJsonObject(0).getString("redis"));
      assertEquals(200, status(node, "GET", "/admin/api/users/gina", TOKEN, answer));
      assertEquals(2, answer[0].getJsonArray("sessions").size());
      assertEquals(200, status(node, "POST", "/admin/api/users/gina/disconnect", TOKEN, answer));
      assertEquals(2, answer[0].getInteger("closed"));
      assertEquals(4003, one.closeCode());
      assertEquals(4003, two.closeCode());
    }
  }

  @Test
  void scheduledTasksAreListedAndCancelled() throws Exception {
    String tasksFile = tempTasksFile();
    try (chatcluster.node.testing.TestApi api = new chatcluster.node.testing.TestApi();
         TestNode node = TestNode.start(c -> c.set(ConfigOption.ADMIN_TOKEN, TOKEN)
             .set(ConfigOption.API_BASE_URL, api.baseUrl()).set(ConfigOption.TASKS_FILE, tasksFile))) {
      WsClient owner = node.open("ivy");
      String task = owner.ok(new JsonObject().put("type", "request").put("method", "GET").put("path", "/count")
          .put("interval", 60)).getString("task");
      JsonObject[] answer = new JsonObject[1];
      assertEquals(200, status(node, "GET", "/admin/api/tasks", TOKEN, answer));
      assertEquals(true, answer[0].getBoolean("enabled"));
      assertEquals(task, answer[0].getJsonArray("tasks").getJsonObject(0).getString("task"));
      assertEquals("ivy-d", answer[0].getJsonArray("tasks").getJsonObject(0).getString("device"));
      assertEquals(200, status(node, "DELETE", "/admin/api/tasks/" + task, TOKEN, answer));
      assertEquals(true, answer[0].getBoolean("cancelled"));
      assertEquals(0, owner.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks").size());
      assertEquals(404, status(node, "DELETE", "/admin/api/tasks/" + task, TOKEN, null));
    }
  }

  private static String tempTasksFile() throws java.io.IOException {
    return java.nio.file.Files.createTempDirectory("admin-tasks").resolve("tasks.json").toString();
  }

  @Test
  void theConsoleIsOffWithoutAnAdminToken() throws Exception {
    try (TestNode node = TestNode.start()) {
      assertEquals(404, status(node, "GET", "/admin/api/nodes", "anything", null));
      assertEquals(404, status(node, "GET", "/admin/", null, null));
    }
  }

  @Test
  void aJwtWithTheAdminClaimIsAnAdminCredentialAndOneWithoutIsNot() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.ADMIN_TOKEN, TOKEN).set(ConfigOption.ADMIN_JWT, true)
        .set(ConfigOption.JWT_SECRET, SECRET))) {
      Vertx vertx = Vertx.vertx();
      try {
        var jwt = JwtVerifiers.hs256(vertx, SECRET);
        String admin = jwt.generateToken(new JsonObject().put("sub", "ops").put("admin", true),
            new JWTOptions().setExpiresInSeconds(60));
        String user = jwt.generateToken(new JsonObject().put("sub", "ops"), new JWTOptions().setExpiresInSeconds(60));
        assertEquals(200, status(node, "GET", "/admin/api/nodes", admin, null));
        assertEquals(401, status(node, "GET", "/admin/api/nodes", user, null));
      } finally {
        vertx.close();
      }
    }
  }
}
