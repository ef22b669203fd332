package chatcluster.node.inbox;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;

/**
 * Inbox positions in Redis: a hash per inbox, device to {@code epoch:offset}, beside the inbox's
 * stream (same hash slot), kept as long as the inbox.
 */
public final class RedisInboxPositions implements InboxPositions {
  private final RedisShards shards;
  private final RedisKeys keys;
  private final Duration ttl;

  public RedisInboxPositions(RedisShards shards, RedisKeys keys, Duration ttl) {
    this.shards = shards;
    this.keys = keys;
    this.ttl = ttl;
  }

  @Override
  public Future<Long> position(String inbox, String device, String epoch) {
    return shards.forChannel(inbox).send(Request.cmd(Command.HGET).arg(keys.inboxPositions(inbox)).arg(device))
        .map(r -> {
          String v = r == null ? null : r.toString();
          int colon = v == null ? -1 : v.lastIndexOf(':');
          if (colon < 0 || !v.substring(0, colon).equals(epoch)) {
            return -1L;
          }
          return Long.parseLong(v.substring(colon + 1));
        });
  }

  @Override
  public Future<Long> ack(String inbox, String device, String epoch, long offset) {
    return shards.forChannel(inbox).send(RedisScripts.call(RedisScripts.INBOX_ACK).arg(1)
            .arg(keys.inboxPositions(inbox)).arg(device).arg(epoch).arg(offset).arg(ttl.toMillis()))
        .map(r -> r.toLong());
  }
}
