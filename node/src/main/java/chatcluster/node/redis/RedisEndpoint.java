package chatcluster.node.redis;

import chatcluster.node.config.NodeConfig;
import chatcluster.node.config.RedisTopology;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis the node talks to, as the Vert.x client reaches it: a standalone server (each REDIS_URL),
 * the current master behind Sentinels (REDIS_SENTINELS), or a Redis Cluster (REDIS_CLUSTER_NODES). {@code name} is what logs show: never a
 * password.
 */
public record RedisEndpoint(String name, RedisOptions options) {

  /** A standalone server by URL. */
  public static RedisEndpoint server(String url) {
    return new RedisEndpoint(RedisLink.redactedUrl(url), new RedisOptions().setConnectionString(url));
  }

  /** The master the Sentinels name; connections follow it when they fail over. */
  public static RedisEndpoint sentinel(RedisTopology topology) {
    RedisOptions options = new RedisOptions().setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER)
        .setMasterName(topology.masterName());
    String auth = topology.sentinelPassword() == null ? "" : ":" + topology.sentinelPassword() + "@";
    for (String hostPort : topology.sentinels()) {
      options.addConnectionString("redis://" + auth + hostPort);
    }
    if (topology.password() != null) {
      options.setPassword(topology.password());
    }
    return new RedisEndpoint("master '" + topology.masterName() + "' via sentinels " + topology.sentinels(), options);
  }

  /** A Redis Cluster: commands go to the shard that owns their keys' slot, channels use sharded pub/sub. */
  public static RedisEndpoint cluster(RedisTopology topology) {
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
    String auth = topology.password() == null ? "" : ":" + topology.password() + "@";
    for (String hostPort : topology.clusterNodes()) {
      options.addConnectionString("redis://" + auth + hostPort);
    }
    return new RedisEndpoint("redis cluster " + topology.clusterNodes(), options);
  }

  /**
   * Every Redis the configuration names: the sentinel master, the Redis Cluster, or each REDIS_URL
   * (channels shard over them by hash, client-side).
   */
  public static List<RedisEndpoint> of(NodeConfig config) {
    if (config.redisTopology().sentinel()) {
      return List.of(sentinel(config.redisTopology()));
    }
    if (config.redisTopology().cluster()) {
      return List.of(cluster(config.redisTopology()));
    }
    List<RedisEndpoint> servers = new ArrayList<>();
    for (String url : config.redisUrls()) {
      servers.add(server(url));
    }
    return servers;
  }
}
