package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as users run it: {@code java -jar node/target/chatcluster-node.jar}. */
class NodeProcessIT {
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

  @Test
  void theNodeJarCarriesTheClusterManagerButNotItsLauncher() throws Exception {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(NodeProcess.jar().toFile())) {
      List<String> names = jar.stream().map(java.util.jar.JarEntry::getName).toList();
      assertTrue(names.contains("chatcluster/cluster/HazelcastClusterState.class"), "the node clusters with it");
      assertTrue(names.contains("chatcluster/node/Main.class"));
      assertEquals(List.of(), names.stream().filter(n -> n.startsWith("chatcluster/cluster/launcher/")).toList(),
          "the launcher ships in cluster-manager/target/chatcluster-cluster-manager.jar only");
    }
  }

  @Test
  void wrongConfigurationStopsStartUpNamingTheOption() throws Exception {
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_PORT", "eighty"))) {
      assertEquals(2, node.awaitExit(Duration.ofSeconds(30)));
      assertTrue(node.output().contains("WEBSOCKET_PORT") && node.output().contains("eighty"), node.output());
    }
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheConfigFile() throws Exception {
    int filePort = NodeProcess.freePort();
    int envPort = NodeProcess.freePort();
    int flagPort = NodeProcess.freePort();
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "host: 127.0.0.1\nport: " + filePort + "\nmaxClients: 3\n");
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_PORT", String.valueOf(envPort)),
        "--config", config.toString(), "--port", String.valueOf(flagPort))) {
      node.awaitReady(flagPort, Duration.ofSeconds(30));
      assertEquals(-1, NodeProcess.status(envPort, "/health/live"));
      assertTrue(node.output().contains("serving ws://127.0.0.1:" + flagPort + "/ws"), node.output());
    }
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_PORT", String.valueOf(envPort)),
        "--config", config.toString())) {
      node.awaitReady(envPort, Duration.ofSeconds(30));
      assertEquals(-1, NodeProcess.status(filePort, "/health/live"));
    }
  }

  @Test
  void sigtermDrainsClientsWith1012AndExitsWithinTheWindow() throws Exception {
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1",
        "WEBSOCKET_PORT", String.valueOf(port), "WEBSOCKET_DRAIN_TIMEOUT", "2"))) {
      node.awaitReady(port, Duration.ofSeconds(30));
      List<WsClient> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        clients.add(WsClient.to(vertx, port).open());
      }
      long start = System.nanoTime();
      node.terminate();
      for (WsClient c : clients) {
        assertEquals(1012, c.closeCode(Duration.ofSeconds(5)));
      }
      node.awaitExit(Duration.ofSeconds(15));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 10_000, "exited " + ms + " ms after SIGTERM");
      assertTrue(node.output().contains("draining 3 connections"), node.output());
      clients.forEach(WsClient::close);
    }
  }
}
