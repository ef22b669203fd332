package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node spreads its connections over its event loops, and a channel with subscribers on every loop
 * still costs one Redis subscription and one encode per message on the node.
 */
@ExtendWith(RedisExtension.class)
class EventLoopsTest {
  private static final int LOOPS = 4;
  private static final int CONNECTIONS = 400;
  private static final int MESSAGES = 20;

  @Test
  void fourLoopsShareConnectionsOneRedisSubscriptionAndOneEncodePerMessage(TestRedis redis) throws Exception {
    String prefix = "loops-" + Ids.random(6) + ":";
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.REDIS_URL, redis.url())
        .set(ConfigOption.REDIS_PREFIX, prefix).set(ConfigOption.EVENT_LOOPS, LOOPS))) {
      List<WsClient> clients = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        clients.add(node.open());
      }
      List<Integer> perLoop = node.node.loopConnections();
      assertEquals(LOOPS, perLoop.size());
      assertEquals(CONNECTIONS, perLoop.stream().mapToInt(Integer::intValue).sum());
      for (int n : perLoop) {
        assertTrue(n >= 60, "every loop holds at least 60 of 400 connections: " + perLoop);
      }

      String channel = "everywhere";
      for (WsClient c : clients) {
        c.send(new JsonObject().put("type", "subscribe").put("channel", channel).put("id", 1));
      }
      for (WsClient c : clients) {
        c.take("ack");
      }
      assertEquals(1L, numsub(node, redis, new chatcluster.node.redis.RedisKeys(prefix).channel(channel)), "one Redis subscription for the node");

      long encodedBefore = node.node.metrics().framesEncoded.sum();
      long handOversBefore = node.node.metrics().loopHandOvers.sum();
      WsClient publisher = clients.get(0);
      for (int i = 0; i < MESSAGES; i++) {
        publisher.ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", i));
      }
      for (WsClient c : clients) {
        List<JsonObject> got = c.takeAll(f -> "message".equals(f.getString("type")), MESSAGES, Duration.ofSeconds(20));
        for (int i = 0; i < MESSAGES; i++) {
          assertEquals(i, got.get(i).getInteger("data"));
        }
      }
      Thread.sleep(300); // a bounded window in which a duplicate would show up
      for (WsClient c : clients) {
        assertTrue(c.pending().stream().noneMatch(f -> "message".equals(f.getString("type"))),
            "each subscriber gets each message once");
      }
      assertEquals(MESSAGES, node.node.metrics().framesEncoded.sum() - encodedBefore, "one encode per message");
      assertEquals((long) MESSAGES * LOOPS, node.node.metrics().loopHandOvers.sum() - handOversBefore,
          "the hub hands each message once to each loop");
      clients.forEach(WsClient::close);
    }
  }

  private static long numsub(TestNode node, TestRedis redis, String pubsubChannel) {
    Redis client = Redis.createClient(node.clientVertx(), redis.url());
    try {
      Response r = TestNode.await(client.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(pubsubChannel)));
      return r.get(1).toLong();
    } finally {
      client.close();
    }
  }
}
