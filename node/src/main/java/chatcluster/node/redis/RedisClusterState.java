package chatcluster.node.redis;

import chatcluster.cluster.ClusterState;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Cluster-wide counters in Redis, one share per node in a hash, checked and incremented by one Lua
 * script. A dead node's shares are removed with the rest of what it wrote (see {@link RedisNodeRegistry}).
 */
public final class RedisClusterState implements ClusterState {
  private final RedisShards shards;
  private final RedisKeys keys;
  private final String nodeId;

  public RedisClusterState(RedisShards shards, RedisKeys keys, String nodeId) {
    this.shards = shards;
    this.keys = keys;
    this.nodeId = nodeId;
  }

  @Override
  public Future<Boolean> tryAcquire(String counter, long limit) {
    return shards.forSubject(counter).send(Request.cmd(Command.EVAL).arg(RedisScripts.ACQUIRE).arg(2)
            .arg(keys.counter(counter)).arg(keys.nodeIndex(nodeId)).arg(nodeId).arg(limit).arg("c|" + counter))
        .map(r -> r.toLong() == 1);
  }

  @Override
  public Future<Void> release(String counter) {
    return shards.forSubject(counter).send(Request.cmd(Command.EVAL).arg(RedisScripts.RELEASE).arg(1)
        .arg(keys.counter(counter)).arg(nodeId)).mapEmpty();
  }

  @Override
  public Future<Long> count(String counter) {
    return shards.forSubject(counter).send(Request.cmd(Command.HVALS).arg(keys.counter(counter))).map(r -> {
      long total = 0;
      for (Response v : r) {
        total += v.toLong();
      }
      return total;
    });
  }
}
