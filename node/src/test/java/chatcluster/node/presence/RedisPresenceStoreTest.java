package chatcluster.node.presence;

import chatcluster.node.config.Ids;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.TestShards;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The presence contract on a real Redis, each test under a key prefix of its own. */
@ExtendWith(RedisExtension.class)
class RedisPresenceStoreTest extends PresenceStoreContract {
  private static TestRedis redis;
  private TestShards shards;

  @BeforeAll
  static void redis(TestRedis shared) {
    redis = shared;
  }

  @Override
  protected PresenceStore newStore(Vertx vertx) throws Exception {
    shards = TestShards.start(vertx, redis);
    return new RedisPresenceStore(shards.shards(), new RedisKeys("presence-" + Ids.random(6) + ":"), "node-1");
  }

  @AfterEach
  void closeShards() throws Exception {
    shards.close();
  }
}
