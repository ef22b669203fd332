package chatcluster.node.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Checks a Redis URL the way the Redis client will read it, so that start-up names what is wrong. */
final class RedisUrl {
  private RedisUrl() {}

  /** What is wrong with {@code url} (without repeating it: it may hold a password), or null. */
  static String problem(String url) {
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      return "the scheme must be redis:// or rediss://";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "it is not a URL (" + e.getReason() + ")";
    }
    if (uri.getHost() == null) {
      // java.net.URI leaves host and port unset when the authority does not parse, e.g. port 99999.
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceAll("^.*@", "");
      String port = authority.contains(":") ? authority.substring(authority.lastIndexOf(':') + 1) : "";
      if (port.matches("\\d+") && (port.length() > 5 || Integer.parseInt(port) > 65535)) {
        return "port " + port + " is out of range (1 to 65535)";
      }
      return "it names no host";
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      return "port " + uri.getPort() + " is out of range (1 to 65535)";
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.matches("/\\d{0,2}")) {
      return "the path must be a database number such as /0";
    }
    return null;
  }
}
