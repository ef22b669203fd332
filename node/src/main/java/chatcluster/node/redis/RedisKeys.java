package chatcluster.node.redis;

/** Every Redis key and pub/sub channel name of the project, under one configurable prefix. */
public final class RedisKeys {
  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** Pub/sub channel carrying a channel's messages and events between nodes. */
  public String channel(String channel) {
    return prefix + "ch:" + channel;
  }

  /** Prefix of {@link #channel}, to map a pub/sub name back to the channel. */
  public String channelPrefix() {
    return prefix + "ch:";
  }

  /** Hash {e: epoch, o: last offset} of a channel's stream. */
  public String meta(String channel) {
    return prefix + "meta:" + channel;
  }

  /** Stream of a persistent channel's messages, entry id {@code <offset>-0}. */
  public String stream(String channel) {
    return prefix + "stream:" + channel;
  }

  /** Hash session -> member JSON of a presence channel. */
  public String presence(String channel) {
    return prefix + "presence:" + channel;
  }

  /** Hash node -> connection count for a user. */
  public String userRoute(String user) {
    return prefix + "route:u:" + user;
  }

  /** Hash node -> connection count for a device. */
  public String deviceRoute(String device) {
    return prefix + "route:d:" + device;
  }

  /** Hash node -> share of a cluster-wide counter. */
  public String counter(String name) {
    return prefix + "counter:" + name;
  }

  /** Set of what a node has written (presence entries, routes, counter shares), to clean up after it dies. */
  public String nodeIndex(String nodeId) {
    return prefix + "nodeidx:" + nodeId;
  }

  /** Sorted set node -> last heartbeat (Redis time, ms). */
  public String nodes() {
    return prefix + "nodes";
  }

  /** Hash node -> directory entry JSON. */
  public String directory() {
    return prefix + "directory";
  }

  /** An ownership lease: holder node id, with the lease's TTL. */
  public String lease(String name) {
    return prefix + "lease:" + name;
  }

  /** Hash task id -> scheduled task JSON. */
  public String tasks() {
    return prefix + "tasks";
  }

  /** Lock held by the node that cleans up after a dead one. */
  public String cleanupLock(String nodeId) {
    return prefix + "cleanup:" + nodeId;
  }

  /** Pub/sub channel of one node: direct sends routed to it. */
  public String nodeChannel(String nodeId) {
    return prefix + "node:" + nodeId;
  }

  /** Pub/sub channel every node subscribes to: broadcasts. */
  public String broadcast() {
    return prefix + "broadcast";
  }
}
