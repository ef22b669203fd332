package chatcluster.node.history;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import chatcluster.node.ops.NodeMetrics;

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
  /** Catch-ups per channel; touched on the channel's link's context only. */
  private final Map<String, Reads> catchUps = new HashMap<>();
  private final NodeMetrics metrics;

  public RedisHistoryStore(RedisShards shards, RedisKeys keys, NodeMetrics metrics) {
    this.metrics = metrics;
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
    long since = sinceOffset == null ? -1 : sinceOffset;
    return shards.forChannel(channel).send(readScript(channel, since, limit, metaTtl(options)))
        .map(r -> Stream.of(channel, r).page(sinceOffset, limit));
  }

  /**
   * Reads for subscriptions in place go beside the ordered connection ({@link RedisLink#read}), at
   * most one per channel at a time: those asked while one is under way share the next, one read from
   * the lowest offset asked, each answer cut from it. Many clients recovering one channel after a
   * node died read it a few times, not once each, and the publishes behind them do not wait.
   */
  @Override
  public Future<HistoryPage> catchUp(String channel, long sinceOffset, int limit, ChannelOptions options) {
    if (sinceOffset < 0) {
      return read(channel, sinceOffset, limit, options);
    }
    RedisLink link = shards.forChannel(channel);
    return link.call(() -> {
      metrics.historyCatchUps.increment();
      Ask ask = new Ask(sinceOffset, limit, metaTtl(options), Promise.promise());
      Reads reads = catchUps.computeIfAbsent(channel, c -> new Reads());
      reads.waiting.add(ask);
      if (!reads.underWay) {
        sendCatchUp(link, channel, reads);
      }
      return ask.answer.future();
    });
  }

  private void sendCatchUp(RedisLink link, String channel, Reads reads) {
    List<Ask> asks = reads.waiting;
    reads.waiting = new ArrayList<>(2);
    reads.underWay = true;
    long from = Long.MAX_VALUE;
    long upTo = 0;
    long ttl = 0;
    for (Ask a : asks) {
      from = Math.min(from, a.since);
      if (a.limit > 0) {
        upTo = Math.max(upTo, a.since + a.limit);
      }
      ttl = Math.max(ttl, a.metaTtl);
    }
    // Offsets follow each other: the entries up to offset upTo are at most upTo - from after from.
    int count = (int) Math.min(Integer.MAX_VALUE, Math.max(0, upTo - from));
    metrics.historyCatchUpReads.increment();
    link.read(readScript(channel, from, count, ttl)).onComplete(ar -> {
      for (Ask a : asks) {
        a.answer.handle(ar.map(r -> Stream.of(channel, r).page(a.since, a.limit)));
      }
      reads.underWay = false;
      if (reads.waiting.isEmpty()) {
        catchUps.remove(channel);
      } else {
        sendCatchUp(link, channel, reads);
      }
    });
  }

  private Request readScript(String channel, long since, int limit, long metaTtl) {
    return RedisScripts.call(RedisScripts.READ).arg(2)
        .arg(keys.meta(channel)).arg(keys.stream(channel))
        .arg(since).arg(limit).arg(Ids.random(8)).arg(metaTtl);
  }

  /** One catch-up waiting for its read. */
  private record Ask(long since, int limit, long metaTtl, Promise<HistoryPage> answer) {}

  /** A channel's catch-ups: whether a read is under way, and those that wait for the next. */
  private static final class Reads {
    List<Ask> waiting = new ArrayList<>(2);
    boolean underWay;
  }

  /** What the read script answered: the position, the oldest offset kept, the entries read. */
  private record Stream(StreamPosition position, long first, List<Delivery> entries) {
    static Stream of(String channel, Response r) {
      String epoch = r.get(0).toString();
      long top = r.get(1).toLong();
      long first = r.get(2).toLong();
      List<Delivery> entries = new ArrayList<>(r.get(3).size());
      for (Response entry : r.get(3)) {
        String id = entry.get(0).toString();
        long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
        entries.add(new Delivery(channel, offset, epoch, entry.get(1).get(1).toBuffer()));
      }
      return new Stream(new StreamPosition(top, epoch), first, entries);
    }

    /**
     * The page of one request: with {@code since}, the first {@code limit} entries after it (the read
     * may hold more, for others); without, the latest ones, which the script gave newest first.
     */
    HistoryPage page(Long since, int limit) {
      if (since == null || since < 0) {
        List<Delivery> latest = new ArrayList<>(entries);
        Collections.reverse(latest);
        return new HistoryPage(position, latest, true);
      }
      List<Delivery> mine = entries;
      int start = 0;
      while (start < entries.size() && entries.get(start).offset() <= since) {
        start++;
      }
      int end = Math.min(entries.size(), start + Math.max(0, limit));
      if (start != 0 || end != entries.size()) {
        mine = new ArrayList<>(entries.subList(start, end));
      }
      boolean complete = since <= position.offset() && first <= since + 1;
      return new HistoryPage(position, mine, complete);
    }
  }
}
