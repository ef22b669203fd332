package chatcluster.node.history;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.Ids;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Channel streams in Redis: a meta hash (epoch, last offset) and, for persistent channels, a stream
 * whose entry ids are the offsets, trimmed to historySize and expiring historyTtl after the last
 * publish. Reads are one Lua script, so position and entries agree.
 */
public final class RedisHistoryStore implements HistoryStore {
  /** How long a channel's offset and epoch outlive its last message (at least its historyTtl). */
  static final long META_TTL_SECONDS = 86_400;

  private final RedisShards shards;
  private final RedisKeys keys;

  public RedisHistoryStore(RedisShards shards, RedisKeys keys) {
    this.shards = shards;
    this.keys = keys;
  }

  public static long metaTtl(ChannelOptions options) {
    return Math.max(META_TTL_SECONDS, options.historyTtl().toSeconds());
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    return read(channel, 0L, 0, ChannelOptions.DEFAULTS).map(HistoryPage::position);
  }

  @Override
  public Future<HistoryPage> read(String channel, Long sinceOffset, int limit, ChannelOptions options) {
    Request eval = Request.cmd(Command.EVAL).arg(RedisScripts.READ).arg(2)
        .arg(keys.meta(channel)).arg(keys.stream(channel))
        .arg(sinceOffset == null ? -1 : sinceOffset).arg(limit).arg(Ids.random(8)).arg(metaTtl(options));
    return shards.forSubject(channel).send(eval).map(r -> {
      String epoch = r.get(0).toString();
      long top = r.get(1).toLong();
      long first = r.get(2).toLong();
      List<Delivery> entries = new ArrayList<>();
      for (Response entry : r.get(3)) {
        String id = entry.get(0).toString();
        long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
        entries.add(new Delivery(channel, offset, epoch, entry.get(1).get(1).toBuffer()));
      }
      if (sinceOffset == null) {
        Collections.reverse(entries); // XREVRANGE gave the latest first
      }
      boolean complete = sinceOffset == null || (sinceOffset <= top && first <= sinceOffset + 1);
      return new HistoryPage(new StreamPosition(top, epoch), entries, complete);
    });
  }
}
