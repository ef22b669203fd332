package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
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
}
