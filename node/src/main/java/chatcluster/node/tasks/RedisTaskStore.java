package chatcluster.node.tasks;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisShards;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled tasks of a cluster: one Redis hash, task id to JSON, on the first Redis server. Any
 * thread may call: commands go through a {@link chatcluster.node.redis.RedisLink}, whose Futures
 * complete on the caller's context.
 */
public final class RedisTaskStore implements TaskStore {
  private static final Logger log = LoggerFactory.getLogger(RedisTaskStore.class);

  private final RedisShards shards;
  private final String key;

  public RedisTaskStore(RedisShards shards, RedisKeys keys) {
    this.shards = shards;
    this.key = keys.tasks();
  }

  @Override
  public Future<List<ScheduledTask>> all() {
    return shards.forNodeKey(key).send(Request.cmd(Command.HGETALL).arg(key)).map(r -> {
      List<ScheduledTask> tasks = new ArrayList<>();
      for (String id : r.getKeys()) {
        try {
          tasks.add(ScheduledTask.fromJson(new JsonObject(r.get(id).toString())));
        } catch (RuntimeException e) {
          log.error("stored task {} is unreadable and skipped: {}", id, e.getMessage());
        }
      }
      return tasks;
    });
  }

  @Override
  public Future<ScheduledTask> get(String id) {
    return shards.forNodeKey(key).send(Request.cmd(Command.HGET).arg(key).arg(id))
        .map(r -> r == null ? null : ScheduledTask.fromJson(new JsonObject(r.toString())));
  }

  @Override
  public Future<Void> put(ScheduledTask task) {
    return shards.forNodeKey(key).send(Request.cmd(Command.HSET).arg(key).arg(task.id()).arg(task.toJson().encode()))
        .mapEmpty();
  }

  @Override
  public Future<Void> remove(String id) {
    return shards.forNodeKey(key).send(Request.cmd(Command.HDEL).arg(key).arg(id)).mapEmpty();
  }
}
