package chatcluster.cluster.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders the nginx templates of the repository's {@code nginx/} directory (packaged in this jar):
 * {@code chatcluster.conf.template}, the http-context part anyone can include in their own nginx,
 * and {@code nginx.conf.template}, the main file of the launcher's private nginx.
 */
final class NginxConfig {
  static final String SITE_TEMPLATE = "chatcluster.conf.template";
  static final String MAIN_TEMPLATE = "nginx.conf.template";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  private NginxConfig() {}

  /**
   * The http-context configuration for these node addresses.
   *
   * @param listen   the {@code listen} parameters, e.g. {@code 127.0.0.1:8080} ({@code ssl} is added with TLS)
   * @param nodes    {@code host:port} of every node in the upstream
   * @param cert     PEM certificate when nginx terminates TLS, else null
   * @param key      its private key, else null
   */
  static String site(String listen, List<String> nodes, Path cert, Path key) {
    boolean tls = cert != null;
    String servers = nodes.stream()
        .map(n -> "    server " + n + " weight=10 max_fails=1 fail_timeout=10s;")
        .collect(Collectors.joining("\n"));
    String certificate = tls
        ? "    ssl_certificate " + cert + ";\n    ssl_certificate_key " + key + ";"
        : "    # TLS: add \"ssl\" to listen and name ssl_certificate and ssl_certificate_key here.";
    return render(template(SITE_TEMPLATE), Map.of(
        "LISTEN", listen + (tls ? " ssl" : ""),
        "UPSTREAM_SERVERS", servers,
        "TLS_CERTIFICATE", certificate,
        "COOKIE_FLAGS", tls ? "; Secure" : ""));
  }

  /** The main configuration of the launcher's nginx, whose files all live in {@code stateDir}. */
  static String main(Path stateDir, Path logDir) {
    return render(template(MAIN_TEMPLATE), Map.of("STATE_DIR", stateDir.toString(), "LOG_DIR", logDir.toString()));
  }

  static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for {{" + m.group(1) + "}}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String template(String name) {
    try (InputStream in = NginxConfig.class.getResourceAsStream("/chatcluster/nginx/" + name)) {
      if (in == null) {
        throw new IllegalStateException("nginx template " + name + " is missing from the launcher jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
