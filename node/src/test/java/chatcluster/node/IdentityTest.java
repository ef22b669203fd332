package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.Keys;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Identities come only from credentials: without the development switch, a connection that claims a
 * JWT user's device gets its own identity and receives, lists and cancels nothing of hers.
 */
class IdentityTest {
  private static final String SECRET = "identity-test-secret-identity-test-secret";

  @Test
  void claimingAnotherUsersDeviceWithoutACredentialGetsNothingOfHers() throws Exception {
    String tasksFile = Files.createTempDirectory("identity").resolve("t.json").toString();
    try (TestApi api = new TestApi();
         TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_CLAIMED_IDENTITY, false)
             .set(ConfigOption.JWT_SECRET, SECRET).set(ConfigOption.AUTH_TOKEN, "shared-static-token")
             .set(ConfigOption.API_BASE_URL, api.baseUrl()).set(ConfigOption.TASKS_FILE, tasksFile))) {
      String jwt = Keys.signHs256(node.clientVertx(), SECRET, new JsonObject().put("sub", "alice")
          .put("device", "dev-alice"));
      WsClient alice = node.client().subprotocols("chatcluster.v1", jwt).connect();
      JsonObject welcome = alice.take("welcome");
      assertEquals("alice", welcome.getString("user"));
      assertEquals("dev-alice", welcome.getString("device"));
      String task = alice.ok(new JsonObject().put("type", "request").put("method", "GET").put("path", "/count")
          .put("interval", 60)).getString("task");

      WsClient anonymous = node.client().uri("/ws?user=alice&device=dev-alice").open();
      WsClient staticToken = node.client().uri("/ws?user=alice&device=dev-alice")
          .subprotocols("chatcluster.v1", "shared-static-token").open();
      for (WsClient impostor : new WsClient[] {anonymous, staticToken}) {
        JsonObject tasks = impostor.ok(new JsonObject().put("type", "tasks"));
        assertTrue(tasks.getJsonArray("tasks").isEmpty(), "lists none of alice's tasks");
        assertEquals("not_found", impostor.errorCode(new JsonObject().put("type", "cancel").put("task", task)));
      }
      WsClient bob = node.open();
      assertEquals(1, bob.ok(new JsonObject().put("type", "send").put("to", new JsonObject().put("user", "alice"))
          .put("data", "for alice")).getInteger("delivered"), "only alice's own connection");
      assertEquals(1, bob.ok(new JsonObject().put("type", "send").put("to", new JsonObject()
          .put("device", "dev-alice")).put("data", "for her device")).getInteger("delivered"));
      assertEquals("for alice", alice.take("direct").getString("data"));
      for (WsClient impostor : new WsClient[] {anonymous, staticToken}) {
        impostor.assertNone(f -> "direct".equals(f.getString("type")), Duration.ofMillis(300));
      }
      assertTrue(alice.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks").size() == 1,
          "her task is still there");
    }
  }

  @Test
  void anAnonymousConnectionIsItsSessionWhateverItAsks() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_CLAIMED_IDENTITY, false))) {
      WsClient c = node.client().uri("/ws?user=alice&device=dev-alice").connect();
      JsonObject welcome = c.take("welcome");
      assertEquals(welcome.getString("session"), welcome.getString("user"));
      assertEquals(welcome.getString("session"), welcome.getString("device"));
      assertNotEquals("alice", welcome.getString("user"));
    }
  }

  @Test
  void aJwtWithoutExpIsRefusedUnlessAllowedAndTheIssuerIsChecked() {
    JsonObject claims = new JsonObject().put("sub", "carol");
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.JWT_SECRET, SECRET)
        .set(ConfigOption.JWT_ISSUER, "https://issuer.example"))) {
      String noExp = Keys.signHs256(node.clientVertx(), SECRET, claims.copy().put("iss", "https://issuer.example"),
          false);
      assertEquals(4001, node.client().subprotocols("chatcluster.v1", noExp).connect().closeCode());
      String wrongIssuer = Keys.signHs256(node.clientVertx(), SECRET, claims.copy().put("iss", "https://other"));
      assertEquals(4001, node.client().subprotocols("chatcluster.v1", wrongIssuer).connect().closeCode());
      String good = Keys.signHs256(node.clientVertx(), SECRET, claims.copy().put("iss", "https://issuer.example"));
      assertEquals("carol", node.client().subprotocols("chatcluster.v1", good).connect().take("welcome")
          .getString("user"));
    }
    try (TestNode lenient = TestNode.start(c -> c.set(ConfigOption.JWT_SECRET, SECRET)
        .set(ConfigOption.JWT_ALLOW_NO_EXP, true))) {
      String noExp = Keys.signHs256(lenient.clientVertx(), SECRET, claims, false);
      assertEquals("carol", lenient.client().subprotocols("chatcluster.v1", noExp).connect().take("welcome")
          .getString("user"));
    }
  }
}
