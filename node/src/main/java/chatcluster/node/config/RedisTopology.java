package chatcluster.node.config;

import java.util.List;

/**
 * Where Redis is when it is not a list of independent servers (REDIS_URL): behind Sentinels, which
 * name the current master, or a Redis Cluster. Empty lists mean neither.
 */
public record RedisTopology(List<String> sentinels, String masterName, String sentinelPassword, String password,
                            List<String> clusterNodes) {
  public RedisTopology {
    sentinels = List.copyOf(sentinels);
    clusterNodes = List.copyOf(clusterNodes);
  }

  public boolean sentinel() {
    return !sentinels.isEmpty();
  }

  public boolean cluster() {
    return !clusterNodes.isEmpty();
  }
}
