package chatcluster.node;

import chatcluster.cluster.ClusterState;
import chatcluster.cluster.LocalClusterState;
import chatcluster.cluster.MembershipChange;
import chatcluster.node.broker.Broker;
import chatcluster.node.broker.LocalBroker;
import chatcluster.node.broker.RedisBroker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.cluster.RedisClusterState;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.core.Presence;
import chatcluster.node.inbox.InboxPositions;
import chatcluster.node.inbox.LocalInboxPositions;
import chatcluster.node.inbox.RedisInboxPositions;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.history.LocalHistoryStore;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.presence.LocalPresenceStore;
import chatcluster.node.presence.PresenceStore;
import chatcluster.node.presence.RedisPresenceStore;
import chatcluster.node.redis.RedisEndpoint;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.tasks.FileTaskStore;
import chatcluster.node.tasks.RedisTaskStore;
import chatcluster.node.tasks.TaskStore;
import io.vertx.core.Vertx;

/**
 * The node's backends, built in one place from the configuration: with {@code REDIS_URL} the Redis
 * set (broker with pub/sub, history in streams, presence, cluster state in Redis or Hazelcast's,
 * scheduled tasks, the node registry that cleans up after dead nodes), without it the embedded
 * in-memory equivalents (and the task file). Nothing else in the node asks which set it runs on.
 *
 * <p>Threading: built and wired on the node's context.
 */
final class Backends {
  final Broker broker;
  final HistoryStore history;
  final PresenceStore presence;
  final ClusterState cluster;
  /** The Redis broker when the node is clustered, else null (it carries the registry and the shards). */
  final InboxPositions inboxPositions;
  private final RedisBroker redis;
  private final ClusterState hazelcast;
  private final RedisKeys keys;

  private Backends(Broker broker, HistoryStore history, PresenceStore presence, ClusterState cluster, RedisBroker redis,
                   ClusterState hazelcast, RedisKeys keys, InboxPositions inboxPositions) {
    this.inboxPositions = inboxPositions;
    this.broker = broker;
    this.history = history;
    this.presence = presence;
    this.cluster = cluster;
    this.redis = redis;
    this.hazelcast = hazelcast;
    this.keys = keys;
  }

  /** @param hazelcast the Hazelcast cluster state when the node joined one, else null */
  static Backends of(Vertx vertx, NodeConfig config, ChannelCatalog catalog, NodeMetrics metrics,
                     ClusterState hazelcast) {
    if (!config.clustered()) {
      LocalHistoryStore history = new LocalHistoryStore(System::currentTimeMillis);
      vertx.setPeriodic(60_000, t -> history.sweep());
      return new Backends(new LocalBroker(history), history, new LocalPresenceStore(),
          new LocalClusterState(config.nodeId()), null, null, null, new LocalInboxPositions());
    }
    RedisKeys keys = new RedisKeys(config.redisPrefix());
    // Inboxes are internal persistent channels the catalog does not name: their options are the inbox's,
    // so that a gap after a pub/sub reconnect is filled from their history like any persistent channel's.
    ChannelOptions inboxOptions = config.inbox().channelOptions();
    java.util.function.Function<String, ChannelOptions> options = channel -> channel.startsWith("inbox/")
        ? inboxOptions : catalog.resolve(channel);
    RedisBroker redis = new RedisBroker(vertx, RedisEndpoint.of(config), keys, config.nodeId(), options,
        metrics, config.clusterDeadAfter());
    ClusterState cluster = hazelcast != null ? hazelcast
        : new RedisClusterState(redis.shards(), keys, config.nodeId());
    return new Backends(redis, redis.history(), new RedisPresenceStore(redis.shards(), keys, config.nodeId()), cluster,
        redis, hazelcast, keys, new RedisInboxPositions(redis.shards(), keys, config.inbox().ttl()));
  }

  /**
   * Connects what the backends report to the node: a dead node's presence entries leave through the
   * presence membership; with Hazelcast its membership says at once when a node is gone; without it
   * the Redis registry's silence window does, and a node it took for dead {@code rejoin}s.
   */
  void wire(Presence membership, Runnable rejoin) {
    if (redis == null) {
      return;
    }
    redis.onPresenceDeparted(membership::leave);
    if (hazelcast != null) {
      // Hazelcast notices a dead member within seconds: clean its Redis state at once.
      hazelcast.onMembership(change -> {
        if (change.kind() == MembershipChange.Kind.LEFT && change.nodeId() != null) {
          redis.registry().cleanUpAfter(change.nodeId());
        }
      });
    } else {
      redis.registry().onNodeGone(((RedisClusterState) cluster)::nodeLeft);
      redis.registry().onRejoin(rejoin);
    }
  }

  /** The store of scheduled REST tasks: Redis when clustered, else the task file ({@code api.tasksFile}). */
  TaskStore taskStore(Vertx vertx, NodeConfig config) {
    return redis != null ? new RedisTaskStore(redis.shards(), keys) : new FileTaskStore(vertx, config.api().tasksFile());
  }
}
