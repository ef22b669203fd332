package chatcluster.node.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.Delivery;
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

  /**
   * Messages that reach history but never this node's subscription (as around a Redis Cluster
   * failover: stored by the new master, published before the node's subscription moved there) are
   * read from history and delivered before the live message that showed the gap: every offset once,
   * in order, and no reset. Published in bursts, the lost ones from another connection in between.
   */
  @Test
  void liveMessagesAfterOnesThatNeverArrivedWaitForThoseReadFromHistory() throws Exception {
    ChannelOptions kept = ChannelOptions.builder().persistent(true).build();
    String channel = "kept-gaps";
    on(() -> broker.subscribe(channel));
    RedisKeys keys = new RedisKeys(prefix);
    io.vertx.redis.client.Redis side = io.vertx.redis.client.Redis.createClient(vertx, redis.url());
    int total = 600;
    int burst = 40; // within the history size (100), so that history can always fill the gap
    int[] lost = {0};
    for (int from = 1; from <= total; from += burst) {
      int first = from;
      on(() -> { // a burst of 40 in flight at once, the lost ones on their own connection in between
        List<Future<?>> sent = new java.util.ArrayList<>();
        for (int n = first; n < first + burst; n++) {
          if (n % 7 == 0 || n % 50 < 5) { // single losses and runs of five
            lost[0]++;
            sent.add(side.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVAL)
                .arg(chatcluster.node.redis.RedisScripts.PUBLISH).arg(3)
                .arg(keys.meta(channel)).arg(keys.stream(channel)).arg(prefix + "lost-in-transit")
                .arg(prefix(channel, n)).arg("node-elsewhere").arg(1).arg(kept.historySize())
                .arg(kept.historyTtl().toSeconds()).arg(chatcluster.node.history.RedisHistoryStore.metaTtl(kept))
                .arg(Ids.random(8)).arg("PUBLISH")));
          } else {
            sent.add(broker.publish(channel, prefix(channel, n), kept));
          }
        }
        return Future.all(sent).mapEmpty();
      });
    }
    on(() -> broker.publish(channel, prefix(channel, "last"), kept));
    List<Delivery> got = awaitDeliveries(channel, total + 1);
    Thread.sleep(200); // anything more would be a duplicate
    got = deliveries.stream().filter(d -> channel.equals(d.channel())).toList();
    assertEquals(0, got.stream().filter(Delivery::reset).count(), "no reset: history had every message");
    assertEquals(java.util.stream.LongStream.rangeClosed(1, total + 1).boxed().toList(),
        got.stream().map(Delivery::offset).toList(), lost[0] + " of " + total + " never published live");
    side.close();
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
