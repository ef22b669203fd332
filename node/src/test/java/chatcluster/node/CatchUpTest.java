package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subscriptions catching up on a Redis node: the reads go beside the node's ordered Redis connection
 * and are shared among the subscriptions of one channel asking at once, yet each subscription gets
 * exactly what it asked for.
 */
@ExtendWith(RedisExtension.class)
class CatchUpTest {

  /**
   * 200 clients resubscribe at once with their own positions (as after a node died): each is answered
   * {@code recovered: true} and gets exactly the messages after its offset, in order, then live ones;
   * the node sends far fewer reads than it answers catch-ups.
   */
  @Test
  void manyClientsRecoveringOneChannelAtOnceShareReadsAndGetExactlyTheirMessages(TestRedis redis) throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.REDIS_URL, redis.url())
        .set(ConfigOption.REDIS_PREFIX, "catchup-" + Ids.random(6) + ":").set(ConfigOption.RATE_LIMIT, 0)
        .set(ConfigOption.MAX_CONNECTIONS_PER_IP, 0).set(ConfigOption.CONNECT_RATE_PER_IP, 0)
        .set(ConfigOption.EVENT_LOOPS, 2))) {
      node.node.createChannel("storm-*", ChannelOptions.builder().persistent(true).historySize(500).build());
      String channel = "storm-1";
      WsClient publisher = node.open("publisher");
      String epoch = publisher.ok(new JsonObject().put("type", "subscribe").put("channel", channel))
          .getString("epoch");
      int published = 300;
      for (int n = 1; n <= published; n++) {
        publisher.send(new JsonObject().put("type", "publish").put("channel", channel).put("data", n).put("id", n));
      }
      publisher.takeAll(f -> "ack".equals(f.getString("type")) && f.getValue("id") != null, published,
          Duration.ofSeconds(20));

      int clients = 200;
      List<WsClient> back = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        back.add(node.open("u" + i));
      }
      long catchUpsBefore = node.node.metrics().historyCatchUps.sum();
      long readsBefore = node.node.metrics().historyCatchUpReads.sum();
      for (int i = 0; i < clients; i++) { // all at once: nobody waits for an answer before the next asks
        back.get(i).send(new JsonObject().put("type", "subscribe").put("channel", channel).put("id", "s")
            .put("since", new JsonObject().put("offset", since(i)).put("epoch", epoch)));
      }
      publisher.ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", "live"));
      for (int i = 0; i < clients; i++) {
        WsClient c = back.get(i);
        JsonObject ack = c.take(f -> "ack".equals(f.getString("type")));
        assertTrue(ack.getJsonObject("result").getBoolean("recovered"), "client " + i + ": " + ack);
        int missed = published - since(i);
        List<JsonObject> messages = c.takeAll(f -> "message".equals(f.getString("type")), missed + 1,
            Duration.ofSeconds(20));
        for (int k = 0; k < missed; k++) {
          assertEquals(since(i) + k + 1, messages.get(k).getLong("offset"), "client " + i + " message " + k);
          assertEquals(since(i) + k + 1, messages.get(k).getInteger("data"));
        }
        assertEquals("live", messages.get(missed).getString("data"), "client " + i + ": live after the recovered");
        assertEquals(published + 1, messages.get(missed).getLong("offset"));
      }
      long catchUps = node.node.metrics().historyCatchUps.sum() - catchUpsBefore;
      long reads = node.node.metrics().historyCatchUpReads.sum() - readsBefore;
      System.out.printf("catch-up: %d clients recovering one channel (%d to %d messages each): %d reads%n", clients,
          published - since(clients - 1 < 140 ? clients - 1 : 139), published - since(0), reads);
      assertEquals(clients, catchUps);
      // How many share a read depends on how fast reads answer against how fast the asks come (39 and
      // 115 reads for 200 have been seen); one read per catch-up would be 200.
      assertTrue(reads <= clients * 3 / 4, reads + " reads for " + clients + " catch-ups of one channel");
      back.forEach(WsClient::close);
      publisher.close();
    }
  }

  private static int since(int client) {
    return 150 + client % 140; // between 150 and 289 of 300
  }
}
