package chatcluster.cluster;

import java.util.List;

/**
 * How a node finds and joins its cluster.
 *
 * @param name              the Hazelcast cluster name: nodes join only their own cluster
 * @param members           {@code host:port} of known members, for TCP-IP discovery (multicast is off)
 * @param kubernetesService a headless Service's DNS name; when set, members are found by DNS lookup
 * @param host              the address to bind and advertise (empty: Hazelcast picks an interface)
 * @param port              the Hazelcast member port (tries the next ones when taken)
 * @param nodeId            this node's id, published as a member attribute
 */
public record ClusterOptions(String name, List<String> members, String kubernetesService, String host, int port,
                             String nodeId) {
  public static final String DEFAULT_NAME = "chatcluster";
  public static final int DEFAULT_PORT = 5701;

  public ClusterOptions {
    members = List.copyOf(members);
  }

  /** Whether clustering is configured at all (otherwise the node runs on its own or on Redis alone). */
  public boolean enabled() {
    return !members.isEmpty() || (kubernetesService != null && !kubernetesService.isBlank());
  }
}
