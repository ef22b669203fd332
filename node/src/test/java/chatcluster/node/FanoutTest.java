package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fan-out encodes a message once per node and writes those bytes to every local subscriber: the
 * per-message encoding work does not grow with the subscriber count.
 */
class FanoutTest {

  @Test
  void oneEncodePerMessageWhateverTheSubscriberCount() {
    try (TestNode node = TestNode.start()) {
      NodeMetrics metrics = node.node.metrics();
      for (int subscribers : new int[] {1, 10, 60}) {
        String channel = "fan-" + subscribers;
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
          WsClient c = node.open();
          c.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
          clients.add(c);
        }
        long encodedBefore = metrics.framesEncoded.sum();
        long deliveredBefore = metrics.framesDelivered.sum();
        clients.get(0).ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", "x"));
        for (WsClient c : clients) {
          assertEquals("x", c.take("message").getString("data"));
        }
        assertEquals(1, metrics.framesEncoded.sum() - encodedBefore, "encodes for " + subscribers + " subscribers");
        assertEquals(subscribers, metrics.framesDelivered.sum() - deliveredBefore);
      }
    }
  }

  /**
   * The fan-out frame, header included, is built by the node itself once per message and written to
   * every subscriber as it is: payloads on both sides of each length boundary of the WebSocket header
   * (7-bit up to 125 bytes, 16-bit up to 65,535, 64-bit beyond) reach subscribers on both loops intact.
   */
  @Test
  void wholeFramesOfEveryHeaderLengthArriveIntact() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.EVENT_LOOPS, 2).set(ConfigOption.RATE_LIMIT, 0)
        .set(ConfigOption.MAX_MESSAGE_SIZE, 1 << 20))) {
      List<WsClient> subscribers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        WsClient c = node.open();
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "wire"));
        subscribers.add(c);
      }
      WsClient publisher = subscribers.get(0);
      List<Integer> sizes = new ArrayList<>();
      for (int n = 0; n <= 160; n++) {
        sizes.add(n); // the frame crosses 125/126 bytes somewhere in here
      }
      for (int n = 65_200; n <= 65_560; n += 3) {
        sizes.add(n); // and 65,535/65,536 here
      }
      sizes.add(300_000);
      for (int size : sizes) {
        // One at a time: a burst of megabytes would rightly close readers slower than the node as slow consumers.
        publisher.ok(new JsonObject().put("type", "publish").put("channel", "wire").put("data", "z".repeat(size)));
        for (WsClient c : subscribers) {
          assertEquals(size, c.take("message").getString("data").length(), "data of " + size + " bytes");
        }
      }
    }
  }

  /**
   * A burst is written in batches: what waits for a loop leaves in one task, each connection flushed
   * once for all of it, in order. 40 subscribers on 2 loops, 3,000 publishes sent back to back.
   */
  @Test
  void aBurstLeavesInBatchesInOrder() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.EVENT_LOOPS, 2).set(ConfigOption.RATE_LIMIT, 0))) {
      NodeMetrics metrics = node.node.metrics();
      List<WsClient> subscribers = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        WsClient c = node.open();
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "burst"));
        subscribers.add(c);
      }
      WsClient publisher = node.open();
      publisher.ok(new JsonObject().put("type", "subscribe").put("channel", "burst"));
      int messages = 3_000;
      long deliveredBefore = metrics.framesDelivered.sum();
      long flushesBefore = metrics.fanoutFlushes.sum();
      for (int i = 0; i < messages; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("channel", "burst").put("data", i));
      }
      for (WsClient c : subscribers) {
        List<JsonObject> got = c.takeAll(f -> "message".equals(f.getString("type")), messages, Duration.ofSeconds(30));
        for (int i = 0; i < messages; i++) {
          assertEquals(i, got.get(i).getInteger("data"));
        }
      }
      long delivered = metrics.framesDelivered.sum() - deliveredBefore;
      long flushes = metrics.fanoutFlushes.sum() - flushesBefore;
      assertEquals(41L * messages, delivered); // the publisher is a subscriber too
      assertTrue(flushes < delivered / 2, flushes + " flushes for " + delivered + " frames: writes were not batched");
    }
  }
}
