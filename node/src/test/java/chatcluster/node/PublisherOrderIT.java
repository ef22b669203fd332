package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeCluster;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One order per publisher on every node: three node processes (two event loops each) on a real
 * Redis, publishers sending as fast as they can (no rate limit), subscribers on all three nodes, the
 * senders included. Every subscriber must get every message, each publisher's in the order it sent
 * them, with strictly increasing offsets; the sender's acks come back in its order too.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublisherOrderIT {
  private static final int BURST = 5000;
  private static final Duration DELIVERY = Duration.ofSeconds(60);

  private NodeCluster nodes;

  @BeforeAll
  void startCluster(TestRedis redis) throws Exception {
    nodes = NodeCluster.start(3, "order", Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX",
        "order-" + Ids.random(6) + ":", "WEBSOCKET_RATE_LIMIT", "0", "WEBSOCKET_EVENT_LOOPS", "2"), "{}\n");
  }

  @AfterAll
  void stopCluster() {
    nodes.close();
  }

  private WsClient open(int node) {
    return nodes.open(node);
  }

  private static JsonObject publish(String channel, Object data, int id) {
    return new JsonObject().put("type", "publish").put("channel", channel).put("data", data).put("id", id);
  }

  /** Subscribes one client per node plus the given publishers; returns them all. */
  private List<WsClient> subscribers(String channel, List<WsClient> publishers) {
    List<WsClient> all = new ArrayList<>(publishers);
    for (int n = 0; n < 3; n++) {
      all.add(open(n));
    }
    for (WsClient c : all) {
      c.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    }
    return all;
  }

  @RepeatedTest(5)
  void oneConnectionsBurstArrivesInSendOrderOnEveryNode() {
    String channel = "burst-" + Ids.random(6);
    WsClient publisher = open(0);
    List<WsClient> receivers = subscribers(channel, List.of(publisher));
    for (int i = 0; i < BURST; i++) {
      publisher.send(publish(channel, i, i));
    }
    List<JsonObject> acks = publisher.takeAll(f -> "ack".equals(f.getString("type")), BURST, DELIVERY);
    long lastOffset = 0;
    for (int i = 0; i < BURST; i++) {
      assertEquals(i, acks.get(i).getInteger("id"), "acks come back in the order the publishes were sent");
      long offset = acks.get(i).getJsonObject("result").getLong("offset");
      assertTrue(offset > lastOffset, "offsets increase with the send order");
      lastOffset = offset;
    }
    for (WsClient c : receivers) {
      List<JsonObject> got = c.takeAll(f -> "message".equals(f.getString("type")), BURST, DELIVERY);
      long previous = 0;
      for (int i = 0; i < BURST; i++) {
        JsonObject m = got.get(i);
        assertEquals(i, m.getInteger("data"), "message " + i + " in send order");
        assertTrue(m.getLong("offset") > previous, "strictly increasing offsets");
        previous = m.getLong("offset");
      }
      c.close();
    }
  }

  @RepeatedTest(5)
  void twoPublishersAtOnceEachKeepTheirOwnOrderEverywhere() throws Exception {
    String channel = "pair-" + Ids.random(6);
    WsClient first = open(0);
    WsClient second = open(1);
    List<WsClient> receivers = subscribers(channel, List.of(first, second));
    int each = BURST / 2;
    Thread other = new Thread(() -> {
      for (int i = 0; i < each; i++) {
        second.send(publish(channel, new JsonObject().put("p", 2).put("i", i), i));
      }
    });
    other.start();
    for (int i = 0; i < each; i++) {
      first.send(publish(channel, new JsonObject().put("p", 1).put("i", i), i));
    }
    other.join();
    for (WsClient c : receivers) {
      List<JsonObject> got = c.takeAll(f -> "message".equals(f.getString("type")), 2 * each, DELIVERY);
      int[] next = new int[3];
      long previous = 0;
      for (JsonObject m : got) {
        JsonObject data = m.getJsonObject("data");
        int p = data.getInteger("p");
        assertEquals(next[p], data.getInteger("i"), "publisher " + p + "'s messages in its send order");
        next[p]++;
        assertTrue(m.getLong("offset") > previous, "one order per channel: strictly increasing offsets");
        previous = m.getLong("offset");
      }
      assertEquals(each, next[1]);
      assertEquals(each, next[2]);
      c.close();
    }
  }
}
