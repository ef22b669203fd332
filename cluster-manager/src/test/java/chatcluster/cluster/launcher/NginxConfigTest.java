package chatcluster.cluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NginxConfigTest {
  /** The values nginx/chatcluster.conf, the ready example for three nodes, is rendered with. */
  static String example() {
    return NginxConfig.site("443", List.of("127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"),
        Path.of("/etc/ssl/certs/chatcluster.pem"), Path.of("/etc/ssl/private/chatcluster.key"));
  }

  @Test
  void theExampleForThreeNodesIsTheTemplateRendered() throws Exception {
    Path file = Path.of(System.getProperty("chatcluster.nginxDir", "../nginx"), "chatcluster.conf");
    assertEquals(example(), Files.readString(file),
        "nginx/chatcluster.conf is out of date: it must be the template rendered as in NginxConfigTest.example()");
  }

  @Test
  void everyNodeIsAnUpstreamServerHashedOnTheRouteCookie() {
    String conf = NginxConfig.site("127.0.0.1:8080", List.of("127.0.0.1:9001", "127.0.0.1:9002"), null, null);
    assertTrue(conf.contains("server 127.0.0.1:9001 weight=10"), conf);
    assertTrue(conf.contains("server 127.0.0.1:9002 weight=10"), conf);
    assertTrue(conf.contains("hash $chatcluster_route consistent;"), conf);
    assertTrue(conf.contains("map $cookie_ccroute $chatcluster_cookie_route"), conf);
    assertTrue(conf.contains("map $uri $chatcluster_route"), "Pusher's HTTP fallback routes by its session: " + conf);
    assertTrue(conf.contains("listen 127.0.0.1:8080;"), conf);
    assertFalse(conf.contains("ssl_certificate /"), conf);
    assertFalse(conf.contains("Secure"), conf);
    assertFalse(conf.contains("{{"), conf);
  }

  @Test
  void tlsListensWithSslAndMarksTheCookieSecure() {
    String conf = NginxConfig.site("8443", List.of("127.0.0.1:9001"), Path.of("/c.pem"), Path.of("/k.pem"));
    assertTrue(conf.contains("listen 8443 ssl;"), conf);
    assertTrue(conf.contains("ssl_certificate /c.pem;"), conf);
    assertTrue(conf.contains("ssl_certificate_key /k.pem;"), conf);
    assertTrue(conf.contains("ssl_protocols TLSv1.2 TLSv1.3;"), conf);
    assertTrue(conf.contains("SameSite=Lax; Secure"), conf);
  }

  @Test
  void theMainFileKeepsEveryPathInTheStateDirectory() {
    String conf = NginxConfig.main(Path.of("/tmp/state/nginx"), Path.of("/tmp/state/logs"));
    assertTrue(conf.contains("pid /tmp/state/nginx/nginx.pid;"), conf);
    assertTrue(conf.contains("include /tmp/state/nginx/chatcluster.conf;"), conf);
    List<String> directives = conf.lines().map(String::trim).filter(l -> !l.startsWith("#")).toList();
    assertFalse(directives.stream().anyMatch(l -> l.contains("/var/log") || l.contains("/etc/nginx")), conf);
    assertFalse(directives.stream().anyMatch(l -> l.startsWith("user ")), conf);
  }

  @Test
  void anUnknownPlaceholderIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> NginxConfig.render("{{NOPE}}", Map.of()));
  }
}
