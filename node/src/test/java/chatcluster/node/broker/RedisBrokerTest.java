package chatcluster.node.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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

  private String prefix;

  @Override
  protected Broker newBroker(Vertx vertx) {
    prefix = "broker-" + Ids.random(6) + ":";
    return newBroker(vertx, "node-test");
  }

  private Broker newBroker(Vertx vertx, String nodeId) {
    return new RedisBroker(vertx, List.of(RedisEndpoint.server(redis.url())), new RedisKeys(prefix),
        nodeId, channel -> channel.startsWith("kept") ? ChannelOptions.builder().persistent(true).build()
            : ChannelOptions.DEFAULTS, new NodeMetrics());
  }

  @Override
  protected HistoryStore historyOf(Broker broker) {
    return ((RedisBroker) broker).history();
  }

  @Test
  void aQuestionToAnotherNodeIsAnsweredThereAndOneToNobodyTimesOut() throws Exception {
    Broker other = node.call(() -> {
      Broker b = newBroker(vertx, "node-other");
      b.onQuery(q -> Future.succeededFuture(Buffer.buffer("answer to " + q)));
      return b.start().map(v -> b);
    });
    try {
      broker.onQuery(q -> Future.succeededFuture(Buffer.buffer("self: " + q)));
      assertEquals("answer to hello", node.call(() -> broker.askNode("node-other", Buffer.buffer("hello"),
          Duration.ofSeconds(5))).toString());
      assertEquals("self: hi", node.call(() -> broker.askNode("node-test", Buffer.buffer("hi"),
          Duration.ofSeconds(5))).toString());
      long start = System.nanoTime();
      ChatException timeout = assertThrows(ChatException.class, () ->
          node.call(() -> broker.askNode("node-ghost", Buffer.buffer("anyone?"), Duration.ofMillis(300))));
      assertEquals(ErrorCode.TIMEOUT, timeout.code());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
    } finally {
      node.call(other::close);
    }
  }
}
