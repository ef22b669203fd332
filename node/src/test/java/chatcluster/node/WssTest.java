package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
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
    // Let this JVM's clients offer TLS 1.0/1.1, so that refusing them is the node's own doing.
    Security.setProperty("jdk.tls.disabledAlgorithms", "SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, NULL");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost")
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), () -> "openssl failed");
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

  @Test
  void tls12And13AreAcceptedOlderVersionsRefused() throws Exception {
    try (TestNode node = tlsNode()) {
      assertEquals("TLSv1.3", handshake(node.port(), "TLSv1.3"));
      assertEquals("TLSv1.2", handshake(node.port(), "TLSv1.2"));
      SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
          () -> handshake(node.port(), "TLSv1.1"));
      assertTrue(String.valueOf(refused.getMessage()).contains("protocol_version"),
          "the server refused the version: " + refused.getMessage());
    }
  }

  @Test
  void plainWebSocketIsNotServedOnATlsPort() {
    try (TestNode node = tlsNode()) {
      assertThrows(AssertionError.class, () -> node.client().connect());
    }
  }

  private static String handshake(int port, String protocol) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setEnabledProtocols(new String[] {protocol});
      s.setSoTimeout(5000);
      s.startHandshake();
      return s.getSession().getProtocol();
    }
  }

  static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
