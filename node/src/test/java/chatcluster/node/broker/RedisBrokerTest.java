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
  private final NodeMetrics metrics = new NodeMetrics();

  @Override
  protected Broker newBroker(Vertx vertx) {
    prefix = "broker-" + Ids.random(6) + ":";
    return newBroker(vertx, "node-test");
  }

  private Broker newBroker(Vertx vertx, String nodeId) {
    return new RedisBroker(vertx, List.of(RedisEndpoint.server(redis.url())), new RedisKeys(prefix),
        nodeId, channel -> channel.startsWith("kept") ? ChannelOptions.builder().persistent(true).build()
            : ChannelOptions.DEFAULTS, metrics);
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

  /** Publishes as another node would, with its message kept out of this node's pub/sub (lost in transit). */
  private Future<?> publishLost(io.vertx.redis.client.Redis side, String channel, Object data, ChannelOptions opts) {
    RedisKeys keys = new RedisKeys(prefix);
    return side.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVAL)
        .arg(chatcluster.node.redis.RedisScripts.PUBLISH).arg(3)
        .arg(keys.meta(channel)).arg(keys.stream(channel)).arg(prefix + "lost-in-transit")
        .arg(prefix(channel, data)).arg("node-elsewhere").arg(opts.persistent() ? 1 : 0).arg(opts.historySize())
        .arg(opts.historyTtl().toSeconds()).arg(chatcluster.node.history.RedisHistoryStore.metaTtl(opts))
        .arg(Ids.random(8)).arg("PUBLISH"));
  }

  /**
   * A gap on a channel that keeps no history cannot be filled: its subscribers get one reset, right
   * before the message that showed the gap, and that message still reaches them; nothing is read
   * again and again afterwards.
   */
  @Test
  void aGapWithoutHistoryIsOneResetRightBeforeTheMessageThatShowedIt() throws Exception {
    String channel = "plain-gap";
    on(() -> broker.subscribe(channel));
    io.vertx.redis.client.Redis side = io.vertx.redis.client.Redis.createClient(vertx, redis.url());
    try {
      on(() -> broker.publish(channel, prefix(channel, 1), ChannelOptions.DEFAULTS));
      awaitDeliveries(channel, 1);
      on(() -> publishLost(side, channel, 2, ChannelOptions.DEFAULTS).mapEmpty());
      on(() -> publishLost(side, channel, 3, ChannelOptions.DEFAULTS).mapEmpty());
      on(() -> broker.publish(channel, prefix(channel, 4), ChannelOptions.DEFAULTS));
      awaitDeliveries(channel, 3);
      Thread.sleep(300); // a fill that started again would add resets
      List<Delivery> got = deliveries.stream().filter(d -> channel.equals(d.channel())).toList();
      assertEquals(3, got.size(), got.toString());
      assertEquals(1, got.get(0).offset());
      assertTrue(got.get(1).reset(), "a reset before the message after the gap: " + got);
      assertEquals(3, got.get(1).offset(), "the stream continues after offset 3");
      assertEquals(4, got.get(2).offset(), "the message that showed the gap is delivered");
      assertTrue(!got.get(2).reset());
    } finally {
      side.close();
    }
  }

  /**
   * Many subscriptions catching up on one channel at once share reads: far fewer reads than
   * catch-ups, each answer exactly what its own request asks (its offset, its limit, complete or not).
   */
  @Test
  void catchUpsOfOneChannelShareReadsAndEachGetsItsOwnPage() throws Exception {
    ChannelOptions kept = ChannelOptions.builder().persistent(true).build(); // 100 kept
    String channel = "kept-catchup";
    for (int n = 1; n <= 130; n++) {
      int m = n;
      on(() -> broker.publish(channel, prefix(channel, m), kept));
    }
    long readsBefore = metrics.historyCatchUpReads.sum();
    int asks = 300;
    List<chatcluster.node.history.HistoryPage> pages = on(() -> {
      List<Future<chatcluster.node.history.HistoryPage>> all = new java.util.ArrayList<>();
      for (int i = 0; i < asks; i++) {
        long since = 20 + (i % 111); // 20..130: some before the kept ones (31..130), some at the top
        all.add(history.catchUp(channel, since, i % 3 == 0 ? 5 : kept.historySize(), kept));
      }
      return Future.all(all).map(cf -> cf.<chatcluster.node.history.HistoryPage>list());
    });
    long reads = metrics.historyCatchUpReads.sum() - readsBefore;
    assertTrue(reads <= asks / 10, reads + " reads for " + asks + " catch-ups of one channel");
    for (int i = 0; i < asks; i++) {
      long since = 20 + (i % 111);
      int limit = i % 3 == 0 ? 5 : kept.historySize();
      chatcluster.node.history.HistoryPage page = pages.get(i);
      assertEquals(130, page.position().offset());
      assertEquals(since >= 30, page.complete(), "since " + since);
      long from = Math.max(since + 1, 31);
      long to = Math.min(130, from + limit - 1);
      List<Long> expected = from > 130 ? List.of() : java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
      assertEquals(expected, page.entries().stream().map(Delivery::offset).toList(), "since " + since + " limit " + limit);
    }
  }

  /**
   * Channels subscribed while the subscriber connection is being restored (Redis killed it) get their
   * messages all the same: none is left to the next reconnect. Subscriptions keep coming, one every
   * few milliseconds, while the connection is killed again and again.
   */
  @Test
  void channelsSubscribedWhileTheSubscriberConnectionIsRestoredAreSubscribedOnIt() throws Exception {
    io.vertx.redis.client.Redis side = io.vertx.redis.client.Redis.createClient(vertx, redis.url());
    int channels = 300;
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      for (int i = 0; i < channels && System.nanoTime() < deadline; i++) {
        String channel = "re-" + i;
        node.context().runOnContext(v -> broker.subscribe(channel));
        if (i % 25 == 0) {
          on(() -> side.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT)
              .arg("KILL").arg("TYPE").arg("pubsub")).mapEmpty());
        }
        Thread.sleep(i % 25 < 3 ? 0 : 4); // a few right after each kill, then one every 4 ms
      }
      long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!broker.healthy() && System.nanoTime() < settle) {
        Thread.sleep(20);
      }
      Thread.sleep(300);
      for (int i = 0; i < channels; i++) {
        String channel = "re-" + i;
        on(() -> broker.publish(channel, prefix(channel, "x"), ChannelOptions.DEFAULTS));
      }
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      java.util.Set<String> missing = new java.util.TreeSet<>();
      do {
        missing.clear();
        java.util.Set<String> got = new java.util.HashSet<>();
        deliveries.forEach(d -> got.add(d.channel()));
        for (int i = 0; i < channels; i++) {
          if (!got.contains("re-" + i)) {
            missing.add("re-" + i);
          }
        }
        if (!missing.isEmpty()) {
          Thread.sleep(20);
        }
      } while (!missing.isEmpty() && System.nanoTime() < until);
      assertEquals(java.util.Set.of(), missing, "channels without their message");
    } finally {
      side.close();
    }
  }

  /**
   * History that ends before what this node delivered (Redis discarded the last messages, as a
   * failover's lost writes): after the subscriber connection comes back, subscribers get a rewind to
   * where history ends, and the new message that takes the discarded offset is delivered.
   */
  @Test
  void historyThatWentBackIsARewindAndTheNextMessageAtThatOffsetIsDelivered() throws Exception {
    ChannelOptions kept = ChannelOptions.builder().persistent(true).build();
    String channel = "kept-rewind";
    on(() -> broker.subscribe(channel));
    for (int n = 1; n <= 3; n++) {
      int m = n;
      on(() -> broker.publish(channel, prefix(channel, m), kept));
    }
    awaitDeliveries(channel, 3);
    RedisKeys keys = new RedisKeys(prefix);
    io.vertx.redis.client.Redis side = io.vertx.redis.client.Redis.createClient(vertx, redis.url());
    try {
      // The stream as a replica that never got message 3 holds it: entries 1 and 2, at offset 2.
      on(() -> side.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVAL)
          .arg("local e = redis.call('XRANGE', KEYS[1], '-', '2-0') redis.call('DEL', KEYS[1]) "
              + "for _, x in ipairs(e) do redis.call('XADD', KEYS[1], x[1], unpack(x[2])) end "
              + "redis.call('HSET', KEYS[2], 'o', 2) return #e")
          .arg(2).arg(keys.stream(channel)).arg(keys.meta(channel))).mapEmpty());
      on(() -> side.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT)
          .arg("KILL").arg("TYPE").arg("pubsub")).mapEmpty());
      List<Delivery> got = awaitDeliveries(channel, 4);
      Delivery rewind = got.get(3);
      assertTrue(rewind.reset() && rewind.rewind(), "a rewind: " + got);
      assertEquals(2, rewind.offset());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Long offset = null;
      while (offset == null) { // the link may still be settling after the kill
        try {
          offset = on(() -> broker.publish(channel, prefix(channel, "again"), kept));
        } catch (ChatException unavailable) {
          assertTrue(System.nanoTime() < deadline, "publishing again within 10 s");
          Thread.sleep(50);
        }
      }
      assertEquals(3L, offset);
      got = awaitDeliveries(channel, 5);
      assertEquals(3, got.get(4).offset(), "the new message at offset 3 is delivered: " + got);
      assertTrue(got.get(4).frame().toString().contains("again"));
    } finally {
      side.close();
    }
  }

  /**
   * A connection's routes: counted per node for its user and its device (what sends to a user or a
   * device on another node read), in the node's index for the cleanup after the node dies, gone with
   * the last connection; and what the cleanup after a dead node removes. On one server the two
   * routes and the index entries are one script; with two servers whose user and device routes live
   * apart, one script on each.
   */
  @Test
  void routesAreCountedIndexedAndRemovedOnOneServer() throws Exception {
    checkRoutes(1);
  }

  @Test
  void routesAreCountedIndexedAndRemovedOnTwoServers() throws Exception {
    checkRoutes(2);
  }

  private void checkRoutes(int servers) throws Exception {
    List<RedisEndpoint> endpoints = java.util.Collections.nCopies(servers, RedisEndpoint.server(redis.url()));
    RedisKeys keys = new RedisKeys(prefix);
    String user = "alice";
    String device = "phone";
    // With two servers: a device whose route lives on the other server than the user's (CRC32, as RedisShards places them).
    for (int i = 0; servers > 1 && crc("d:" + device) % servers == crc("u:" + user) % servers; i++) {
      device = "phone-" + i;
    }
    String dev = device;
    java.util.function.Function<String, Broker> make = id -> new RedisBroker(vertx, endpoints, keys, id,
        channel -> ChannelOptions.DEFAULTS, metrics);
    Broker a = node.call(() -> {
      Broker b = make.apply("node-a");
      return b.start().map(v -> b);
    });
    Broker b = node.call(() -> {
      Broker x = make.apply("node-b");
      x.onDirect(d -> Future.succeededFuture(0));
      return x.start().map(v -> x);
    });
    try {
      on(() -> a.connectionOpened(user, dev));
      on(() -> a.connectionOpened(user, dev));
      on(() -> b.connectionOpened(user, "tablet"));
      assertEquals(java.util.Map.of("node-a", "2", "node-b", "1"), hash(keys.userRoute(user)));
      assertEquals(java.util.Map.of("node-a", "2"), hash(keys.deviceRoute(dev)));
      assertEquals(java.util.Set.of("u|alice", "d|" + dev), members(keys.nodeIndex("node-a")));
      Buffer frame = Buffer.buffer("{\"type\":\"direct\"}");
      assertEquals(2, on(() -> b.sendDirect(new Direct(user, null, frame))), "node-a's two connections of alice");
      assertEquals(2, on(() -> b.sendDirect(new Direct(null, dev, frame))));

      on(() -> a.connectionClosed(user, dev));
      assertEquals(java.util.Map.of("node-a", "1", "node-b", "1"), hash(keys.userRoute(user)));
      on(() -> a.connectionClosed(user, dev));
      assertEquals(java.util.Map.of("node-b", "1"), hash(keys.userRoute(user)), "no zero count is left behind");
      assertEquals(java.util.Map.of(), hash(keys.deviceRoute(dev)));
      assertEquals(0, on(() -> b.sendDirect(new Direct(null, dev, frame))));

      // node-b dies with its connection open: the cleanup finds its routes through its index.
      on(() -> a.connectionOpened(user, dev));
      node.run(() -> ((RedisBroker) a).registry().cleanUpAfter("node-b"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (hash(keys.userRoute(user)).containsKey("node-b") || hash(keys.deviceRoute("tablet")).containsKey("node-b")) {
        assertTrue(System.nanoTime() < deadline, "node-b's routes removed within 10 s");
        Thread.sleep(20); // polling a bounded deadline
      }
      assertEquals(java.util.Map.of("node-a", "1"), hash(keys.userRoute(user)));
      assertEquals(java.util.Set.of(), members(keys.nodeIndex("node-b")));
    } finally {
      node.call(a::close);
      node.call(b::close);
    }
  }

  private static long crc(String subject) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(subject.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return crc.getValue();
  }

  private java.util.Map<String, String> hash(String key) throws Exception {
    io.vertx.redis.client.Response r = on(() -> ((RedisBroker) broker).shards().all().get(0)
        .send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HGETALL).arg(key)));
    java.util.Map<String, String> out = new java.util.HashMap<>();
    for (String field : r.getKeys()) {
      out.put(field, r.get(field).toString());
    }
    return out;
  }

  private java.util.Set<String> members(String key) throws Exception {
    io.vertx.redis.client.Response r = on(() -> ((RedisBroker) broker).shards().all().get(0)
        .send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SMEMBERS).arg(key)));
    java.util.Set<String> out = new java.util.HashSet<>();
    r.forEach(m -> out.add(m.toString()));
    return out;
  }
}
