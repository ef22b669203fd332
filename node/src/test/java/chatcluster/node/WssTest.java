package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TlsProbe;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a PEM certificate and key made in the test; TLS 1.2 and 1.3 only. */
class WssTest {
  @TempDir
  static Path dir;
  static Path cert;
  static Path key;

  @BeforeAll
  static void makeCertificate() throws Exception {
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost")
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), () -> "openssl failed");
  }

  /** wss handshakes run in BoringSSL (bundled for Linux x86_64 and aarch64), not the JDK's engine. */
  @Test
  void nativeTlsIsBundled() {
    assertTrue(io.vertx.core.net.OpenSSLEngineOptions.isAvailable(), "BoringSSL did not load");
  }

  private static TestNode tlsNode() {
    return TestNode.start(c -> c.set(ConfigOption.SSL_CERT, cert.toString()).set(ConfigOption.SSL_KEY, key.toString()));
  }

  @Test
  void wssServesTheProtocolOnBothPaths() {
    try (TestNode node = tlsNode()) {
      for (String path : new String[] {"/ws", "/wss"}) {
        WsClient c = node.client().ssl().uri(path).connect();
        c.take("welcome");
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "secure"));
        c.ok(new JsonObject().put("type", "publish").put("channel", "secure").put("data", path));
        assertEquals(path, c.take("message").getString("data"));
      }
    }
  }

  /** Joined frames go below the WebSocket encoder into TLS like single ones: a burst arrives whole and in order. */
  @Test
  void aBatchedClientGetsABurstOverWss() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SSL_CERT, cert.toString())
        .set(ConfigOption.SSL_KEY, key.toString()).set(ConfigOption.RATE_LIMIT, 0))) {
      WsClient batched = node.client().ssl().subprotocols("chatcluster.v2").open();
      batched.ok(new JsonObject().put("type", "subscribe").put("channel", "secure"));
      int messages = 1000;
      for (int i = 0; i < messages; i++) {
        batched.send(new JsonObject().put("type", "publish").put("channel", "secure").put("data", i));
      }
      java.util.List<JsonObject> got = batched.takeAll(f -> "message".equals(f.getString("type")), messages,
          java.time.Duration.ofSeconds(30));
      for (int i = 0; i < messages; i++) {
        assertEquals(i, got.get(i).getInteger("data"));
      }
    }
  }

  @Test
  void tls12And13AreAcceptedOlderVersionsRefused() throws Exception {
    try (TestNode node = tlsNode()) {
      assertEquals("TLSv1.3", TlsProbe.handshake(node.port(), "TLSv1.3"));
      assertEquals("TLSv1.2", TlsProbe.handshake(node.port(), "TLSv1.2"));
      for (String old : new String[] {"TLSv1.1", "TLSv1"}) {
        String answer = TlsProbe.handshake(node.port(), old);
        // The probe offers the old version (its JVM allows it); the node answers with a protocol_version alert.
        assertTrue(answer.startsWith("refused:") && answer.contains("protocol_version"), old + ": " + answer);
      }
    }
  }

  @Test
  void plainWebSocketIsNotServedOnATlsPort() {
    try (TestNode node = tlsNode()) {
      assertThrows(AssertionError.class, () -> node.client().connect());
    }
  }

  /**
   * A client that comes back with the session it had resumes it (an abbreviated handshake, no
   * signature by the server): over TLS 1.3 with the session ticket Netty's BoringSSL engine issues,
   * over TLS 1.2 from the server's session cache. The ticket comes with the server's first write, so
   * each connection makes one HTTP request.
   */
  @Test
  void aReturningClientResumesItsTlsSession() throws Exception {
    try (TestNode node = tlsNode()) {
      for (String version : new String[] {"-tls1_3", "-tls1_2"}) {
        Path session = dir.resolve("session" + version + ".pem");
        assertTrue(sClient(node.port(), version, "-sess_out", session).contains("New, TLSv1."), version);
        assertTrue(Files.exists(session), version + ": the server gave the client a session to come back with");
        String again = sClient(node.port(), version, "-sess_in", session);
        assertTrue(again.contains("Reused, TLSv1."), version + ": resumed: " + again);
      }
    }
  }

  /** openssl s_client: one HTTP request, then the summary it prints (New or Reused, the protocol). */
  private static String sClient(int port, String version, String sessionFlag, Path session) throws Exception {
    Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, version, sessionFlag,
        session.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
    p.getOutputStream().flush();
    Thread.sleep(1000); // the answer, and the ticket that comes with it
    p.getOutputStream().close();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client ended");
    return new String(p.getInputStream().readAllBytes());
  }
}
