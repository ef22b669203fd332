package chatcluster.node.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.launcher.ClusterStatus;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.TlsProbe;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * nginx terminating TLS in front of a launcher's node, with a certificate made in the test; and the
 * node believing X-Forwarded-For from nginx (a trusted proxy) and from no one else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalClusterTlsIT {
  private Vertx vertx;
  private LauncherProcess launcher;
  private int port;

  @BeforeAll
  void up() throws Exception {
    vertx = Vertx.vertx();
    port = NodeProcess.freePort();
    Path dir = Files.createTempDirectory("launcher-tls-it-");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed");
    // WEBSOCKET_DEBUG reaches the node through the launcher: it logs each client's address.
    launcher = LauncherProcess.up(dir.resolve("state"), Map.of("REDIS_PREFIX", "it-" + Ids.random(6) + ":",
        "WEBSOCKET_DEBUG", "true"), "--nodes", "1", "--port", String.valueOf(port), "--tls", "--tls-cert",
        cert.toString(), "--tls-key", key.toString(), "--cluster-name", "it-lb-tls-" + Ids.random(8));
  }

  @AfterAll
  void down() throws Exception {
    if (launcher != null) {
      launcher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void wssThroughNginxWithACertificateMadeInTheTest() throws Exception {
    assertTrue(launcher.stdout().contains("public URL  wss://127.0.0.1:" + port + "/ws"), launcher.stdout());
    for (String path : new String[] {"/ws", "/wss"}) {
      try (WsClient c = WsClient.to(vertx, port).uri(path).ssl().connect()) {
        assertEquals("node-1", c.take("welcome").getString("node"));
        String cookie = c.handshakeHeaders().get("Set-Cookie");
        assertTrue(cookie != null && cookie.startsWith("ccroute=") && cookie.endsWith("; Secure"), cookie);
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "tls"));
        c.ok(new JsonObject().put("type", "publish").put("channel", "tls").put("data", path));
        assertEquals(path, c.take("message").getString("data"));
      }
    }
  }

  @Test
  void nginxSpeaksOnlyTls12And13() throws Exception {
    assertEquals("TLSv1.3", TlsProbe.handshake(port, "TLSv1.3"));
    assertEquals("TLSv1.2", TlsProbe.handshake(port, "TLSv1.2"));
    String old = TlsProbe.handshake(port, "TLSv1.1");
    assertTrue(old.startsWith("refused:"), "TLSv1.1: " + old);
  }

  @Test
  void theNodeBelievesXForwardedForOnlyFromNginx() throws Exception {
    ClusterStatus.Node node = launcher.status().nodes().get(0);
    Path log = Path.of(node.log());
    // Through nginx from 127.0.0.2 with a forged header: nginx appends the real peer, the node takes
    // the last address that is not a trusted proxy.
    try (WsClient c = WsClient.to(vertx, port).ssl().localAddress("127.0.0.2")
        .header("X-Forwarded-For", "203.0.113.7").connect()) {
      c.take("welcome");
    }
    // Straight to the node from 127.0.0.2, which is no proxy: its header is ignored.
    try (WsClient c = WsClient.to(vertx, node.port()).localAddress("127.0.0.2")
        .header("X-Forwarded-For", "203.0.113.9").connect()) {
      c.take("welcome");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String text = Files.readString(log);
    while (text.split("accepted connection from 127\\.0\\.0\\.2", -1).length < 3 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100);
      text = Files.readString(log);
    }
    assertEquals(3, text.split("accepted connection from 127\\.0\\.0\\.2", -1).length, text);
    assertFalse(text.contains("203.0.113"), "a forged X-Forwarded-For was believed");
  }
}
