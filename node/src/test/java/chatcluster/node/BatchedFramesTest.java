package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Clients that take several server frames per WebSocket message (sub-protocol {@code chatcluster.v2},
 * or {@code ?batch=1}): what is queued for them leaves as one message, frames separated by newlines,
 * in order, replies never ahead of fan-out frames queued before them; other clients are unchanged.
 */
class BatchedFramesTest {

  @Test
  void chatclusterV2IsSelectedWithOrWithoutATokenAndTheWelcomeSaysBatch() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_TOKEN, "shared-static-token"))) {
      WsClient v2 = node.client().subprotocols("chatcluster.v2").connect();
      assertEquals("chatcluster.v2", v2.subprotocol());
      assertEquals(Boolean.TRUE, v2.take("welcome").getBoolean("batch"));

      WsClient v2Token = node.client().subprotocols("chatcluster.v2", "shared-static-token").connect();
      assertEquals("chatcluster.v2", v2Token.subprotocol());
      assertEquals(Boolean.TRUE, v2Token.take("welcome").getBoolean("batch"));

      WsClient v1 = node.client().subprotocols("chatcluster.v1", "shared-static-token").connect();
      assertEquals("chatcluster.v1", v1.subprotocol());
      assertNull(v1.take("welcome").getValue("batch"), "a v1 welcome is as it was");

      // The URL's way, which a node without chatcluster.v2 ignores: sub-protocol v1, frames batched.
      WsClient query = node.client().uri("/ws?batch=1").subprotocols("chatcluster.v1", "shared-static-token").connect();
      assertEquals("chatcluster.v1", query.subprotocol());
      assertEquals(Boolean.TRUE, query.take("welcome").getBoolean("batch"));
    }
  }

  /**
   * 3,000 messages published back to back: a batched subscriber gets every one, in offset order, in
   * fewer WebSocket messages than frames; a v1 subscriber of the same channel one frame per message.
   */
  @Test
  void aBurstReachesABatchedSubscriberInFewerMessagesAndAV1SubscriberOnePerFrame() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.EVENT_LOOPS, 2).set(ConfigOption.RATE_LIMIT, 0))) {
      List<WsClient> batched = new ArrayList<>();
      List<WsClient> v1 = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        WsClient b = node.client().subprotocols("chatcluster.v2").open();
        b.ok(new JsonObject().put("type", "subscribe").put("channel", "burst"));
        batched.add(b);
        WsClient c = node.open();
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "burst"));
        v1.add(c);
      }
      WsClient publisher = v1.get(0);
      int[] before = new int[12];
      for (int i = 0; i < 6; i++) {
        before[i] = batched.get(i).messagesReceived();
        before[6 + i] = v1.get(i).messagesReceived();
      }
      int messages = 3_000;
      for (int i = 0; i < messages; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("channel", "burst").put("data", i));
      }
      for (int i = 0; i < 6; i++) {
        WsClient b = batched.get(i);
        List<JsonObject> got = b.takeAll(f -> "message".equals(f.getString("type")), messages, Duration.ofSeconds(30));
        assertInOffsetOrder(got, messages);
        int used = b.messagesReceived() - before[i];
        System.out.println("burst of " + messages + ": " + used + " WebSocket messages to a batched subscriber");
        assertTrue(used < messages, used + " WebSocket messages for " + messages + " frames: nothing was joined");
      }
      for (int i = 0; i < 6; i++) {
        WsClient c = v1.get(i);
        List<JsonObject> got = c.takeAll(f -> "message".equals(f.getString("type")), messages, Duration.ofSeconds(30));
        assertInOffsetOrder(got, messages);
        assertEquals(messages, c.messagesReceived() - before[6 + i], "one WebSocket message per frame");
        assertEquals(0, c.joinedMessagesReceived(), "no v1 message carries two frames");
      }
    }
  }

  /**
   * A burst of 2 KB messages: joined messages stay within 64 KB, the rest of what is queued follows
   * in further messages; every frame arrives, in order.
   */
  @Test
  void joinedMessagesStayWithin64KilobytesAndNothingIsLost() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RATE_LIMIT, 0))) {
      WsClient batched = node.client().subprotocols("chatcluster.v2").open();
      batched.ok(new JsonObject().put("type", "subscribe").put("channel", "big"));
      WsClient publisher = node.open();
      publisher.ok(new JsonObject().put("type", "subscribe").put("channel", "big"));
      int messages = 500;
      String pad = "p".repeat(2000);
      for (int i = 0; i < messages; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("channel", "big")
            .put("data", new JsonObject().put("n", i).put("pad", pad)));
      }
      List<JsonObject> got = batched.takeAll(f -> "message".equals(f.getString("type")), messages,
          Duration.ofSeconds(30));
      for (int i = 0; i < messages; i++) {
        assertEquals(i, got.get(i).getJsonObject("data").getInteger("n"), "frame " + i);
      }
      assertTrue(batched.joinedMessagesReceived() > 0, "some were joined");
      assertTrue(batched.largestMessageReceived() <= 65536, "largest " + batched.largestMessageReceived());
    }
  }

  /**
   * A batched client publishing a burst with ids, subscribed to its channel: every ack in order with
   * increasing offsets, every message in offset order, nothing lost among the joined frames.
   */
  @Test
  void aBatchedPublishersAcksAndMessagesKeepTheContractsOrder() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RATE_LIMIT, 0))) {
      WsClient publisher = node.client().subprotocols("chatcluster.v2").open();
      publisher.ok(new JsonObject().put("type", "subscribe").put("channel", "own"));
      int messages = 2_000;
      for (int i = 0; i < messages; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("channel", "own").put("data", i).put("id", i));
      }
      List<JsonObject> acks = publisher.takeAll(f -> "ack".equals(f.getString("type")), messages, Duration.ofSeconds(30));
      List<JsonObject> got = publisher.takeAll(f -> "message".equals(f.getString("type")), messages,
          Duration.ofSeconds(30));
      long lastOffset = -1;
      for (int i = 0; i < messages; i++) {
        assertEquals(i, acks.get(i).getInteger("id"), "acks in the order of the publishes");
        long offset = acks.get(i).getJsonObject("result").getLong("offset");
        assertTrue(offset > lastOffset, "offsets increase with the publishes");
        lastOffset = offset;
      }
      assertInOffsetOrder(got, messages);
    }
  }

  /**
   * A reply written while fan-out frames are held for the connection does not overtake them: the
   * held frames leave first, at once, without waiting for the write delay (here 1 s).
   */
  @Test
  void aReplyWritesWhatIsHeldBeforeIt() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.WRITE_DELAY, 1000))) {
      WsClient client = node.client().subprotocols("chatcluster.v2").open();
      client.ok(new JsonObject().put("type", "subscribe").put("channel", "held"));
      long delivered = node.node.metrics().framesDelivered.sum();
      TestNode.await(node.node.broadcast("held", "first"));
      awaitDelivered(node, delivered + 1);
      long sentAt = System.nanoTime();
      client.send(new JsonObject().put("type", "ping").put("id", "p"));
      JsonObject pong = client.await(f -> "pong".equals(f.getString("type")), Duration.ofSeconds(10));
      List<JsonObject> frames = client.pending();
      int message = -1;
      for (int i = 0; i < frames.size(); i++) {
        if ("message".equals(frames.get(i).getString("type"))) {
          message = i;
        }
      }
      assertTrue(message >= 0 && message < frames.indexOf(pong), "the held message came before the reply: " + frames);
      assertEquals("first", frames.get(message).getString("data"));
      long waited = TimeUnit.NANOSECONDS.toMillis(client.receivedAt(pong) - sentAt);
      assertTrue(waited < 900, "the reply waited " + waited + " ms: the held frame was not written at once");
    }
  }

  /**
   * With {@code writeDelay} 50 ms and a message every 5 ms, a batched subscriber gets them in a few
   * WebSocket messages, none later than the delay plus a margin for a loaded machine; a v1 subscriber
   * of the same channel still gets one frame per message.
   */
  @Test
  void aWriteDelayJoinsWhatArrivesWithinIt() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.WRITE_DELAY, 50).set(ConfigOption.RATE_LIMIT, 0))) {
      WsClient batched = node.client().subprotocols("chatcluster.v2").open();
      batched.ok(new JsonObject().put("type", "subscribe").put("channel", "paced"));
      WsClient v1 = node.open();
      v1.ok(new JsonObject().put("type", "subscribe").put("channel", "paced"));
      int messages = 60;
      long[] sentAt = new long[messages];
      int batchedBefore = batched.messagesReceived();
      int v1Before = v1.messagesReceived();
      for (int i = 0; i < messages; i++) {
        sentAt[i] = System.nanoTime();
        v1.send(new JsonObject().put("type", "publish").put("channel", "paced").put("data", i));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing the publisher, not waiting for a result
      }
      List<JsonObject> got = batched.takeAll(f -> "message".equals(f.getString("type")), messages,
          Duration.ofSeconds(10));
      assertInOffsetOrder(got, messages);
      long worst = 0;
      for (int i = 0; i < messages; i++) {
        worst = Math.max(worst, batched.receivedAt(got.get(i)) - sentAt[i]);
      }
      int used = batched.messagesReceived() - batchedBefore;
      List<JsonObject> plain = v1.takeAll(f -> "message".equals(f.getString("type")), messages, Duration.ofSeconds(10));
      assertInOffsetOrder(plain, messages);
      System.out.println("writeDelay 50 ms, a message every 5 ms: " + used + " WebSocket messages for " + messages
          + " frames (v1: " + (v1.messagesReceived() - v1Before) + "), latest " + TimeUnit.NANOSECONDS.toMillis(worst)
          + " ms after its publish");
      assertTrue(used <= messages / 3, used + " WebSocket messages for " + messages + " frames");
      assertEquals(messages, v1.messagesReceived() - v1Before, "v1: one WebSocket message per frame");
      assertTrue(TimeUnit.NANOSECONDS.toMillis(worst) < 50 + 250, "held " + TimeUnit.NANOSECONDS.toMillis(worst) + " ms");
    }
  }

  /** The frames the test published are 0..n-1 in order; offsets increase by one. */
  private static void assertInOffsetOrder(List<JsonObject> got, int n) {
    assertEquals(n, got.size());
    long first = got.get(0).getLong("offset");
    for (int i = 0; i < n; i++) {
      assertEquals(i, got.get(i).getInteger("data"), "frame " + i);
      assertEquals(first + i, got.get(i).getLong("offset"), "offset of frame " + i);
    }
    assertFalse(got.isEmpty());
  }

  /** Waits, bounded, until the node has handed {@code count} frames to connections in all. */
  private static void awaitDelivered(TestNode node, long count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (node.node.metrics().framesDelivered.sum() < count) {
      assertTrue(System.nanoTime() < deadline, "frame not handed to the connection within 10 s");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
