package chatcluster.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node reads what deploy/ gives it: the env names of every overlay and compose, and the dev overlay's values. */
@ExtendWith(RedisExtension.class)
class DeployManifestsIT {
  private static Vertx vertx;

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void everyEnvironmentNameInTheManifestsIsOneTheNodeReads() throws Exception {
    for (String overlay : Manifests.overlays()) {
      Set<String> names = Manifests.nodeEnvNames(Manifests.render(overlay));
      assertTrue(names.contains("NODE_ID") && names.contains("WEBSOCKET_PORT"), overlay + ": " + names);
      assertEquals(Set.of(), Manifests.unknownEnvNames(names), "overlay " + overlay + " sets names the node ignores");
    }
    assertEquals(Set.of(), Manifests.unknownEnvNames(Manifests.composeNodeEnvNames()), "compose.yaml");
  }

  @Test
  void aMisspelledOrForeignNameIsFlagged() {
    Set<String> names = new TreeSet<>(Set.of("WEBSOCKET_PORT", "WEBSOCKET_PROT", "REDIS_HOST", "JAVA_TOOL_OPTIONS"));
    assertEquals(Set.of("REDIS_HOST", "WEBSOCKET_PROT"), Manifests.unknownEnvNames(names));
  }

  @Test
  void aNodeWithTheDevOverlaysEnvironmentIsReadyAndWelcomesWithTheSecretsToken(TestRedis redis) throws Exception {
    List<Map<String, Object>> objects = Manifests.render("dev");
    String podName = "chatcluster-node-7d9f8c-x2x4q";
    Map<String, String> env = Manifests.nodeEnv(objects,
        Map.of("metadata.name", podName, "status.podIP", "127.0.0.1"));
    // The dev Redis is the overlay's own Service.
    Manifests.find(objects, "Service", "chatcluster-redis");
    assertEquals("redis://chatcluster-redis:6379", env.get("REDIS_URL"));

    // What differs between a pod and this machine: addresses and ports. The headless Service's name
    // becomes localhost, which resolves to this node alone, as the Service does for a single pod.
    int port = NodeProcess.freePort();
    int relayPort = NodeProcess.freePort();
    Map<String, String> local = new HashMap<>(env);
    local.putAll(Map.of(
        "REDIS_URL", redis.url(),
        "REDIS_PREFIX", "deploy-" + UUID.randomUUID() + ":",
        "WEBSOCKET_PORT", String.valueOf(port),
        "RELAY_HTTP_PORT", String.valueOf(relayPort),
        "CLUSTER_PORT", String.valueOf(NodeProcess.freePort()),
        "CLUSTER_KUBERNETES_SERVICE", "localhost",
        // The image's JVM flags, so that they are checked too.
        "JAVA_TOOL_OPTIONS", String.join(" ", Manifests.imageJvmFlags())));

    try (NodeProcess node = NodeProcess.start(local)) {
      node.awaitReady(port, Duration.ofSeconds(45));
      assertEquals(200, NodeProcess.status(port, "/health/live"));
      assertEquals(200, NodeProcess.status(port, "/metrics"));
      assertTrue(node.output().contains("Picked up JAVA_TOOL_OPTIONS"), node.output());
      assertFalse(node.output().contains("without proper access"), "the image opens what Hazelcast needs");

      try (WsClient client = WsClient.to(vertx, port)
          .header("Authorization", "Bearer " + env.get("WEBSOCKET_AUTH_TOKEN")).connect()) {
        JsonObject welcome = client.take("welcome");
        assertEquals(podName, welcome.getString("node"), "NODE_ID is the pod's name");
      }
      try (WsClient intruder = WsClient.to(vertx, port).header("Authorization", "Bearer wrong").connect()) {
        assertEquals(4001, intruder.closeCode());
      }

      HttpClient http = HttpClient.newHttpClient();
      HttpRequest nodes = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relayPort + "/api/nodes"))
          .header("Authorization", "Bearer " + env.get("RELAY_API_KEY")).timeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> answer = http.send(nodes, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains(podName), answer.body());
    }
  }
}
