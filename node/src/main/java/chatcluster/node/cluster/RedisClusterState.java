package chatcluster.node.cluster;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import chatcluster.cluster.ClusterState;
import chatcluster.cluster.MembershipChange;
import chatcluster.cluster.NodeInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * {@link ClusterState} on Redis alone, for clusters without Hazelcast: counters with one share per
 * node in a hash, checked and incremented by one Lua script; the directory in a hash, liveness from
 * {@link RedisNodeRegistry}'s heartbeats; leases as keys with a TTL. A dead node's shares are removed
 * with the rest of what it wrote, and its leaving is announced then.
 *
 * <p><b>Threading.</b> Any thread may call: every command goes through a {@link RedisLink}, whose
 * Futures complete on the caller's context. Membership handlers run on the context that registered
 * them, whichever thread reports a departure through {@link #nodeLeft} (registered from a thread
 * without a context, on the reporting thread).
 */
public final class RedisClusterState implements ClusterState {
  private final RedisShards shards;
  private final RedisKeys keys;
  private final String nodeId;
  private final List<Registered> handlers = new CopyOnWriteArrayList<>();

  /** A membership handler and the context it runs on (none when registered off Vert.x: then at once). */
  private record Registered(Context context, Handler<MembershipChange> handler) {
    void handle(MembershipChange change) {
      if (context == null) {
        handler.handle(change);
      } else {
        context.runOnContext(v -> handler.handle(change));
      }
    }
  }

  public RedisClusterState(RedisShards shards, RedisKeys keys, String nodeId) {
    this.shards = shards;
    this.keys = keys;
    this.nodeId = nodeId;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  /** Called by the node registry when it removed a dead node's state; any thread. */
  public void nodeLeft(String node) {
    shards.forNodeKey(keys.directory()).send(Request.cmd(Command.HDEL).arg(keys.directory()).arg(node));
    handlers.forEach(h -> h.handle(new MembershipChange(MembershipChange.Kind.LEFT, node)));
  }

  @Override
  public Future<List<NodeInfo>> nodes() {
    return shards.forNodeKey(keys.nodes()).send(Request.cmd(Command.ZRANGE).arg(keys.nodes()).arg(0).arg(-1)).compose(live -> {
      Set<String> ids = new HashSet<>();
      live.forEach(r -> ids.add(r.toString()));
      return shards.forNodeKey(keys.directory()).send(Request.cmd(Command.HGETALL).arg(keys.directory())).map(dir -> {
        List<NodeInfo> nodes = new ArrayList<>();
        for (String id : dir.getKeys()) {
          if (ids.contains(id)) {
            JsonObject j = new JsonObject(dir.get(id).toString());
            nodes.add(new NodeInfo(id, j.getString("address"), j.getInteger("connections", 0),
                j.getLong("started", 0L)));
          }
        }
        nodes.sort((a, b) -> a.id().compareTo(b.id()));
        return nodes;
      });
    });
  }

  @Override
  public Future<Void> publish(NodeInfo self) {
    String json = new JsonObject().put("address", self.address()).put("connections", self.connections())
        .put("started", self.started()).encode();
    return shards.forNodeKey(keys.directory()).send(Request.cmd(Command.HSET).arg(keys.directory()).arg(nodeId).arg(json)).mapEmpty();
  }

  @Override
  public void onMembership(Handler<MembershipChange> handler) {
    handlers.add(new Registered(Vertx.currentContext(), handler));
  }

  @Override
  public Future<Boolean> acquireLease(String name, Duration ttl) {
    return shards.forLease(name).send(RedisScripts.call(RedisScripts.LEASE).arg(1)
        .arg(keys.lease(name)).arg(nodeId).arg(Math.max(1, ttl.toMillis()))).map(r -> r.toLong() == 1);
  }

  @Override
  public Future<Void> releaseLease(String name) {
    return shards.forLease(name).send(RedisScripts.call(RedisScripts.UNLEASE).arg(1)
        .arg(keys.lease(name)).arg(nodeId)).mapEmpty();
  }

  @Override
  public boolean joined() {
    return shards.healthy();
  }

  @Override
  public Future<Boolean> tryAcquire(String counter, long limit) {
    RedisLink link = shards.forCounter(counter);
    // Indexed first (a dead node's shares are found from its index), then taken, atomically.
    shards.indexFor(link, nodeId).send(Request.cmd(Command.SADD).arg(keys.nodeIndex(nodeId)).arg("c|" + counter));
    return link.send(RedisScripts.call(RedisScripts.ACQUIRE).arg(1).arg(keys.counter(counter))
            .arg(nodeId).arg(limit))
        .map(r -> r.toLong() == 1);
  }

  @Override
  public Future<Void> release(String counter) {
    return shards.forCounter(counter).send(RedisScripts.call(RedisScripts.RELEASE).arg(1)
        .arg(keys.counter(counter)).arg(nodeId)).mapEmpty();
  }

  @Override
  public Future<Long> count(String counter) {
    return shards.forCounter(counter).send(Request.cmd(Command.HVALS).arg(keys.counter(counter))).map(r -> {
      long total = 0;
      for (Response v : r) {
        total += v.toLong();
      }
      return total;
    });
  }
}
