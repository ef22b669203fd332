package chatcluster.node.redis;

/** A command was not sent because the link's connection to Redis is down. */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String server) {
    super("redis " + server + " is unreachable");
  }
}
