package chatcluster.node.broker;

import chatcluster.node.redis.RedisEndpoint;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.Ids;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker contract on a real Redis, each test under a key prefix of its own. */
@ExtendWith(RedisExtension.class)
class RedisBrokerTest extends BrokerContract {
  private static TestRedis redis;

  @BeforeAll
  static void redis(TestRedis shared) {
    redis = shared;
  }

  @Override
  protected Broker newBroker(Vertx vertx) {
    return new RedisBroker(vertx, List.of(RedisEndpoint.server(redis.url())), new RedisKeys("broker-" + Ids.random(6) + ":"),
        "node-test", channel -> channel.startsWith("kept") ? ChannelOptions.builder().persistent(true).build()
            : ChannelOptions.DEFAULTS, new NodeMetrics());
  }

  @Override
  protected HistoryStore historyOf(Broker broker) {
    return ((RedisBroker) broker).history();
  }
}
