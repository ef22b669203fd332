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
 * the current master behind Sentinels (REDIS_SENTINELS), or a member of a Redis Cluster
 * (REDIS_CLUSTER_NODES: each master is reached on its own, see {@link RedisClusterMap}). {@code name}
 * is what logs show: never a password.
 *
 * @param clusterMember a server of a Redis Cluster: per-subject channels use sharded pub/sub there,
 *                      and a moved slot is reported to the cluster map
 */
public record RedisEndpoint(String name, RedisOptions options, boolean clusterMember) {

  /** A standalone server by URL. */
  public static RedisEndpoint server(String url) {
    return new RedisEndpoint(RedisLink.redactedUrl(url), new RedisOptions().setConnectionString(url), false);
  }

  /** Another server of the same Redis Cluster as this one, with the same credentials. */
  public RedisEndpoint member(String hostPort) {
    return new RedisEndpoint(hostPort, new RedisOptions().setConnectionString("redis://" + hostPort)
        .setPassword(options.getPassword()), true);
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
    return new RedisEndpoint("master '" + topology.masterName() + "' via sentinels " + topology.sentinels(), options,
        false);
  }

  /** The servers a Redis Cluster's map is first asked for (REDIS_CLUSTER_NODES). */
  public static List<RedisEndpoint> clusterSeeds(RedisTopology topology) {
    List<RedisEndpoint> seeds = new ArrayList<>();
    for (String hostPort : topology.clusterNodes()) {
      seeds.add(new RedisEndpoint(hostPort, new RedisOptions().setConnectionString("redis://" + hostPort)
          .setPassword(topology.password()), true));
    }
    return seeds;
  }

  /**
   * Every Redis the configuration names: the sentinel master, the seeds of a Redis Cluster (each one
   * a {@link #clusterMember}), or each REDIS_URL (channels shard over them by hash, client-side).
   */
  public static List<RedisEndpoint> of(NodeConfig config) {
    if (config.redisTopology().sentinel()) {
      return List.of(sentinel(config.redisTopology()));
    }
    if (config.redisTopology().cluster()) {
      return clusterSeeds(config.redisTopology());
    }
    List<RedisEndpoint> servers = new ArrayList<>();
    for (String url : config.redisUrls()) {
      servers.add(server(url));
    }
    return servers;
  }
}
