package chatcluster.node.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS handshake with one protocol version, run in a JVM of its own whose security properties let
 * it offer old versions (TLS 1.0/1.1 are disabled by default): so a refusal is the server's doing.
 * As a program it prints the negotiated protocol, or {@code refused: <message>}.
 */
public final class TlsProbe {
  private TlsProbe() {}

  /** Runs the probe against 127.0.0.1:port with {@code protocol}; returns what it printed. */
  public static String handshake(int port, String protocol) throws Exception {
    Path props = Files.createTempFile("tls-probe", ".properties");
    Files.writeString(props, "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, NULL\n");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.security.properties=" + props, "-cp", System.getProperty("java.class.path"),
        TlsProbe.class.getName(), String.valueOf(port), protocol));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("TLS probe did not finish");
    }
    Files.deleteIfExists(props);
    return new String(p.getInputStream().readAllBytes()).trim();
  }

  public static void main(String[] args) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
      s.setEnabledProtocols(new String[] {args[1]});
      s.setSoTimeout(10_000);
      s.startHandshake();
      System.out.println(s.getSession().getProtocol());
    } catch (javax.net.ssl.SSLException e) {
      System.out.println("refused: " + e.getMessage());
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
