package chatcluster.node;

import java.util.Map;

/** Nodes that share only a Redis: liveness, counters and cleanup through Redis. */
class RedisClusterIT extends ClusterContract {
  @Override
  Map<String, String> clusterEnv(int i) {
    return Map.of();
  }
}
