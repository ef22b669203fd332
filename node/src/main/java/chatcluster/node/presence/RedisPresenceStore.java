package chatcluster.node.presence;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presence in Redis: a hash per channel, session to member (with the join time and this node's join
 * sequence, for ordering: joins within one millisecond keep the order this node made them in). Each
 * entry is also listed in its node's index, so that the entries of a node that dies are removed by
 * the others (see {@link RedisNodeRegistry}). Any thread may call: commands go through a
 * {@link chatcluster.node.redis.RedisLink}, whose Futures complete on the caller's context.
 */
public final class RedisPresenceStore implements PresenceStore {
  private final RedisShards shards;
  private final RedisKeys keys;
  private final String nodeId;
  private final AtomicLong joins = new AtomicLong();

  public RedisPresenceStore(RedisShards shards, RedisKeys keys, String nodeId) {
    this.shards = shards;
    this.keys = keys;
    this.nodeId = nodeId;
  }

  static String indexEntry(String channel, String session) {
    return "p|" + channel + "|" + session;
  }

  public static PresenceMember member(String json) {
    JsonObject m = new JsonObject(json);
    return new PresenceMember(m.getString("user"), m.getString("device"), m.getString("node"));
  }

  @Override
  public Future<Change> add(String channel, String session, PresenceMember member) {
    String json = new JsonObject().put("user", member.user()).put("device", member.device())
        .put("node", member.node()).put("ts", System.currentTimeMillis()).put("seq", joins.incrementAndGet())
        .encode();
    // Two commands, in order on the link (the keys may live in different hash slots): indexed first.
    RedisLink link = shards.forChannel(channel);
    Future<Response> indexed = shards.indexFor(link, nodeId).send(Request.cmd(Command.SADD).arg(keys.nodeIndex(nodeId))
        .arg(indexEntry(channel, session)));
    Future<Response> added = link.send(RedisScripts.call(RedisScripts.PRESENCE_ADD).arg(1)
        .arg(keys.presence(channel)).arg(session).arg(json).arg(member.user()));
    return Future.all(indexed, added).map(v -> {
      Response r = added.result();
      return new Change(member, r.get(0).toInteger(), r.get(1).toInteger());
    });
  }

  @Override
  public Future<Change> remove(String channel, String session) {
    RedisLink link = shards.forChannel(channel);
    Future<Response> removed = link.send(RedisScripts.call(RedisScripts.PRESENCE_REMOVE).arg(1)
        .arg(keys.presence(channel)).arg(session));
    Future<Response> unindexed = shards.indexFor(link, nodeId).send(Request.cmd(Command.SREM).arg(keys.nodeIndex(nodeId))
        .arg(indexEntry(channel, session)));
    return Future.all(removed, unindexed).map(v -> {
      Response r = removed.result();
      String gone = r.get(0).toString();
      return new Change(gone.isEmpty() ? null : member(gone), r.get(1).toInteger(), r.get(2).toInteger());
    });
  }

  @Override
  public Future<List<PresenceMember>> members(String channel) {
    return shards.forChannel(channel).send(Request.cmd(Command.HGETALL).arg(keys.presence(channel)))
        .map(RedisPresenceStore::ordered);
  }

  /** A presence hash in join order: a hash keeps no order, and equal milliseconds are common on a busy channel. */
  private static List<PresenceMember> ordered(Response hash) {
    List<JsonObject> entries = new ArrayList<>();
    for (String field : hash.getKeys()) {
      entries.add(new JsonObject(hash.get(field).toString()));
    }
    entries.sort(Comparator.<JsonObject>comparingLong(m -> m.getLong("ts", 0L))
        .thenComparingLong(m -> m.getLong("seq", 0L)));
    return entries.stream()
        .map(m -> new PresenceMember(m.getString("user"), m.getString("device"), m.getString("node"))).toList();
  }
}
