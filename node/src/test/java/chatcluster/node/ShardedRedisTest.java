package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

/** REDIS_URL with two servers: channels spread over both by a stable hash, and work across nodes. */
class ShardedRedisTest {

  @Test
  void channelsSpreadOverTwoRedisServersAndWorkAcrossNodes() throws Exception {
    try (TestRedis one = TestRedis.startDedicated(); TestRedis two = TestRedis.startDedicated()) {
      String urls = one.url() + "," + two.url();
      String prefix = "shard-" + Ids.random(5) + ":";
      try (TestNode a = TestNode.start(c -> c.set(ConfigOption.REDIS_URL, urls).set(ConfigOption.REDIS_PREFIX, prefix));
           TestNode b = TestNode.start(c -> c.set(ConfigOption.REDIS_URL, urls).set(ConfigOption.REDIS_PREFIX, prefix))) {
        WsClient pub = a.open("pub");
        WsClient sub = b.open("sub");
        for (int i = 0; i < 20; i++) {
          String channel = "room-" + i;
          pub.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
          sub.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
          pub.ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", i));
          JsonObject m = sub.take(f -> "message".equals(f.getString("type")) && channel.equals(f.getString("channel")));
          assertEquals(i, m.getInteger("data"));
          assertEquals(1L, m.getLong("offset"));
        }
        long onOne = metaKeys(a, one, prefix);
        long onTwo = metaKeys(a, two, prefix);
        assertEquals(20, onOne + onTwo);
        assertTrue(onOne > 0 && onTwo > 0, "both servers hold channels: " + onOne + " / " + onTwo);
      }
    }
  }

  private static long metaKeys(TestNode node, TestRedis redis, String prefix) {
    Redis client = Redis.createClient(node.clientVertx(), redis.url());
    try {
      return TestNode.await(client.send(Request.cmd(Command.KEYS).arg(prefix + "{c:*}:meta"))).size();
    } finally {
      client.close();
    }
  }
}
