package chatcluster.node.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The REST relay's configuration.
 *
 * @param baseUrl          the API's base URL, or null when the relay is off
 * @param timeout          how long one call may take
 * @param headers          headers added to every call (they win over a client's)
 * @param methods          methods clients may use
 * @param maxResponse      largest response body, bytes
 * @param maxPerConnection calls one connection may have in flight
 * @param maxConcurrent    calls the node may have in flight
 * @param tasksFile        where a node without Redis keeps its tasks
 * @param minInterval      shortest task interval
 * @param maxPerDevice     tasks one device may own
 * @param ownerTtl         how long a task outlives its owner's last connection
 */
public record ApiSettings(URI baseUrl, Duration timeout, Map<String, String> headers, Set<String> methods,
                          int maxResponse, int maxPerConnection, int maxConcurrent, Path tasksFile,
                          Duration minInterval, int maxPerDevice, Duration ownerTtl) {
  public ApiSettings {
    headers = Map.copyOf(headers);
    methods = Set.copyOf(methods);
  }

  public boolean enabled() {
    return baseUrl != null;
  }

  @Override
  public String toString() {
    // Header values are often API keys: never print them.
    return "ApiSettings[baseUrl=" + baseUrl + ", timeout=" + timeout + ", headers=" + headers.keySet() + "]";
  }
}
