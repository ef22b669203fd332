package chatcluster.cluster.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for localhost and 127.0.0.1, made with openssl for {@code up --tls}
 * without {@code --tls-cert}: good for trying wss:// locally, never for production.
 *
 * @param cert the PEM certificate
 * @param key  its unencrypted PEM private key (mode 0600)
 */
record SelfSignedCertificate(Path cert, Path key) {

  static SelfSignedCertificate create(Path openssl, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path cert = dir.resolve("localhost-cert.pem");
    Path key = dir.resolve("localhost-key.pem");
    Process p = new ProcessBuilder(List.of(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "30", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl could not make a certificate: " + out.trim());
    }
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return new SelfSignedCertificate(cert, key);
  }
}
