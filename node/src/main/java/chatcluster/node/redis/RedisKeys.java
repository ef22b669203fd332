package chatcluster.node.redis;

/**
 * Every Redis key and pub/sub channel name of the project, under one configurable prefix.
 *
 * <p>Each subject's keys share a hash tag ({@code {c:<channel>}}, {@code {u:<user>}}, ...), so that in
 * a Redis Cluster a channel's meta, stream, presence and pub/sub channel sit in one slot: the publish
 * script touches them together, and the channel's sharded pub/sub lives on the shard that holds its
 * stream. Outside a cluster the tags are only part of the names.
 */
public final class RedisKeys {
  private static final String CHANNEL_TAG = "{c:";
  private static final String CHANNEL_SUFFIX = "}:ch";

  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  private String tagged(char kind, String subject, String what) {
    return prefix + "{" + kind + ":" + subject + "}:" + what;
  }

  /** Pub/sub channel carrying a channel's messages and events between nodes. */
  public String channel(String channel) {
    return prefix + CHANNEL_TAG + channel + CHANNEL_SUFFIX;
  }

  /** The channel a pub/sub name of {@link #channel} belongs to, or null when it is not one. */
  public String channelOf(String pubsubName) {
    String head = prefix + CHANNEL_TAG;
    if (pubsubName.startsWith(head) && pubsubName.endsWith(CHANNEL_SUFFIX)
        && pubsubName.length() > head.length() + CHANNEL_SUFFIX.length()) {
      return pubsubName.substring(head.length(), pubsubName.length() - CHANNEL_SUFFIX.length());
    }
    return null;
  }

  /** A glob matching every {@link #channel} name (for PUBSUB CHANNELS). */
  public String channelPattern() {
    return prefix + CHANNEL_TAG + "*" + CHANNEL_SUFFIX;
  }

  /** Hash {e: epoch, o: last offset} of a channel's stream. */
  public String meta(String channel) {
    return tagged('c', channel, "meta");
  }

  /** Stream of a persistent channel's messages, entry id {@code <offset>-0}. */
  public String stream(String channel) {
    return tagged('c', channel, "stream");
  }

  /** Hash device -> {@code epoch:offset} acknowledged, of an inbox (a channel: same slot as its stream). */
  public String inboxPositions(String inbox) {
    return tagged('c', inbox, "acks");
  }

  /** String: the offset a publish with this key got on the channel (retried publishes). */
  public String publishKey(String channel, String key) {
    return tagged('c', channel, "pk:" + key);
  }

  /** Hash session -> member JSON of a presence channel. */
  public String presence(String channel) {
    return tagged('c', channel, "presence");
  }

  /** Hash node -> connection count for a user. */
  public String userRoute(String user) {
    return tagged('u', user, "route");
  }

  /** Hash node -> connection count for a device. */
  public String deviceRoute(String device) {
    return tagged('d', device, "route");
  }

  /** Hash node -> share of a cluster-wide counter. */
  public String counter(String name) {
    return tagged('k', name, "counter");
  }

  /** Set of what a node has written (presence entries, routes, counter shares), to clean up after it dies. */
  public String nodeIndex(String nodeId) {
    return tagged('n', nodeId, "index");
  }

  /** Lock held by the node that cleans up after a dead one. */
  public String cleanupLock(String nodeId) {
    return tagged('n', nodeId, "cleanup");
  }

  /** Pub/sub channel of one node: direct sends routed to it. */
  public String nodeChannel(String nodeId) {
    return tagged('n', nodeId, "inbox");
  }

  /** An ownership lease: holder node id, with the lease's TTL. */
  public String lease(String name) {
    return tagged('l', name, "lease");
  }

  /** Sorted set node -> last heartbeat (Redis time, ms). */
  public String nodes() {
    return prefix + "nodes";
  }

  /** Hash node -> directory entry JSON. */
  public String directory() {
    return prefix + "directory";
  }

  /** Hash task id -> scheduled task JSON. */
  public String tasks() {
    return prefix + "tasks";
  }

  /** Pub/sub channel every node subscribes to: broadcasts (classic pub/sub, every shard). */
  public String broadcast() {
    return prefix + "broadcast";
  }
}
