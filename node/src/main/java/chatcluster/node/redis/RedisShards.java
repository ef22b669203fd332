package chatcluster.node.redis;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Where each key family lives, for one of two layouts.
 *
 * <ul>
 *   <li><b>Several independent servers</b> (REDIS_URL with commas; one server is the common case):
 *   every subject (channel, user, device, counter, lease) is placed by a stable hash (CRC32) of its
 *   name, so a channel's meta, stream, presence and pub/sub live together on one server; node-wide
 *   keys and channels (the node directory, tasks, broadcasts, the nodes' own channels) use the first
 *   server. A node's index of what it wrote (for the cleanup after it dies) is kept beside each entry.</li>
 *   <li><b>A Redis Cluster</b> (REDIS_CLUSTER_NODES): every key goes to the master serving its hash
 *   slot ({@link RedisClusterMap}); a subject's keys share a hash tag, hence a slot.</li>
 * </ul>
 */
public final class RedisShards {
  private final RedisKeys keys;
  private final List<RedisLink> links;
  private final RedisClusterMap cluster;

  /** Independent servers, the first one for node-wide keys. */
  public RedisShards(List<RedisLink> links) {
    if (links.isEmpty()) {
      throw new IllegalArgumentException("no Redis server");
    }
    this.keys = null;
    this.links = List.copyOf(links);
    this.cluster = null;
  }

  /** A Redis Cluster. */
  public RedisShards(RedisKeys keys, RedisClusterMap cluster) {
    this.keys = keys;
    this.links = List.of();
    this.cluster = cluster;
  }

  /** Whether this is a Redis Cluster (keys of different slots live on different masters). */
  public boolean cluster() {
    return cluster != null;
  }

  /** Connects (the cluster's map first); completes after every link's first attempt. */
  public Future<Void> start() {
    if (cluster != null) {
      return cluster.start();
    }
    Future<Void> all = Future.succeededFuture();
    for (RedisLink link : links) {
      all = all.compose(v -> link.start());
    }
    return all;
  }

  /** A chat channel's keys and pub/sub (an inbox is one too). */
  public RedisLink forChannel(String channel) {
    return cluster != null ? cluster.owner(keys.channel(channel)) : bySubject(channel);
  }

  /** A route: {@code u:<user>} or {@code d:<device>}. */
  public RedisLink forRoute(String subject) {
    if (cluster == null) {
      return bySubject(subject);
    }
    String name = subject.substring(2);
    return cluster.owner(subject.charAt(0) == 'u' ? keys.userRoute(name) : keys.deviceRoute(name));
  }

  public RedisLink forCounter(String counter) {
    return cluster != null ? cluster.owner(keys.counter(counter)) : bySubject(counter);
  }

  public RedisLink forLease(String name) {
    return cluster != null ? cluster.owner(keys.lease(name)) : bySubject("lease:" + name);
  }

  /**
   * A node-wide key or channel ({@link RedisKeys#nodes}, {@link RedisKeys#directory}, {@link
   * RedisKeys#tasks}, {@link RedisKeys#broadcast}) or one of a node ({@link RedisKeys#nodeChannel},
   * {@link RedisKeys#cleanupLock}): the first server, or the key's master in a cluster.
   */
  public RedisLink forNodeKey(String key) {
    return cluster != null ? cluster.owner(key) : links.get(0);
  }

  /**
   * Where {@code nodeId}'s index gets the entry of something written through {@code beside}: that
   * same server (each server indexes what it holds), or the index key's master in a cluster.
   */
  public RedisLink indexFor(RedisLink beside, String nodeId) {
    return cluster != null ? cluster.owner(keys.nodeIndex(nodeId)) : beside;
  }

  /** Every server holding a part of {@code nodeId}'s index. */
  public List<RedisLink> indexHolders(String nodeId) {
    return cluster != null ? List.of(cluster.owner(keys.nodeIndex(nodeId))) : links;
  }

  /** Every server (every master of a cluster). */
  public List<RedisLink> all() {
    return cluster != null ? cluster.masters() : links;
  }

  /**
   * Whether the node can work with Redis: every server is up, or, in a cluster, at least one master
   * (the channels of a shard whose master is down answer {@code unavailable} on their own).
   */
  public boolean healthy() {
    if (cluster != null) {
      return cluster.masters().stream().anyMatch(RedisLink::healthy);
    }
    return links.stream().allMatch(RedisLink::healthy);
  }

  public Future<Void> close() {
    if (cluster != null) {
      return cluster.close();
    }
    List<Future<Void>> all = new ArrayList<>();
    for (RedisLink link : links) {
      all.add(link.close());
    }
    return Future.join(new ArrayList<>(all)).mapEmpty();
  }

  private RedisLink bySubject(String subject) {
    if (links.size() == 1) {
      return links.get(0);
    }
    CRC32 crc = new CRC32();
    crc.update(subject.getBytes(StandardCharsets.UTF_8));
    return links.get((int) (crc.getValue() % links.size()));
  }
}
