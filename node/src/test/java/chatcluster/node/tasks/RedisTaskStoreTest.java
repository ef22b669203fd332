package chatcluster.node.tasks;

import chatcluster.node.config.Ids;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.TestShards;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The task-store contract on a real Redis, each test under a key prefix of its own. */
@ExtendWith(RedisExtension.class)
class RedisTaskStoreTest extends TaskStoreContract {
  private static TestRedis redis;
  private TestShards shards;

  @BeforeAll
  static void redis(TestRedis shared) {
    redis = shared;
  }

  @Override
  protected TaskStore newStore(Vertx vertx) throws Exception {
    shards = TestShards.start(vertx, redis);
    return new RedisTaskStore(shards.shards(), new RedisKeys("tasks-" + Ids.random(6) + ":"));
  }

  @AfterEach
  void closeShards() throws Exception {
    shards.close();
  }
}
