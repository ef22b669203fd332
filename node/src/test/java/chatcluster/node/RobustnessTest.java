package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Bad input from one client never costs another client anything. */
class RobustnessTest {
  private static final List<String> MALFORMED = List.of(
      "not json at all",
      "{\"type\":",
      "[1,2,3]",
      "42",
      "\"a string\"",
      "null",
      "{}",
      "{\"type\":17}",
      "{\"type\":\"teleport\"}",
      "{\"type\":\"subscribe\"}",
      "{\"type\":\"subscribe\",\"channel\":\"\"}",
      "{\"type\":\"subscribe\",\"channel\":\"spaces are bad\"}",
      "{\"type\":\"subscribe\",\"channel\":[\"x\"]}",
      "{\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":-1}}",
      "{\"type\":\"publish\",\"channel\":\"c\"}",
      "{\"type\":\"publish\",\"channel\":\"target\",\"data\":1}",
      "{\"type\":\"send\",\"to\":\"bob\",\"data\":1}",
      "{\"type\":\"send\",\"to\":{\"user\":\"a\",\"device\":\"b\"},\"data\":1}",
      "{\"type\":\"history\",\"channel\":\"c\",\"limit\":\"ten\"}",
      "{\"type\":\"event\"}",
      "{\"type\":\"ping\",\"id\":{\"nested\":true}}",
      "{\"type\":\"request\",\"path\":\"/x\",\"method\":\"TRACE\"}",
      "{\"type\":\"unsubscribe\",\"channel\":\"never-joined\"}",
      "\u0000\u0001\u0002",
      "{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}");

  @Test
  void fiveHundredMalformedFramesLeaveOtherClientsWorkingAndTheNodeAlive() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RATE_LIMIT, 0))) {
      WsClient attacker = node.open("attacker");
      WsClient sender = node.open("sender");
      WsClient receiver = node.open("receiver");
      receiver.ok(new JsonObject().put("type", "subscribe").put("channel", "target"));
      sender.ok(new JsonObject().put("type", "subscribe").put("channel", "target"));

      for (int i = 0; i < 500; i++) {
        attacker.sendText(MALFORMED.get(i % MALFORMED.size()));
        if (i % 50 == 0) {
          sender.ok(new JsonObject().put("type", "publish").put("channel", "target").put("data", i));
          assertEquals(i, receiver.take("message").getInteger("data"));
        }
      }
      // Every malformed frame was answered with an error naming the problem, and the connection stays.
      Map<String, Integer> codes = new TreeMap<>();
      for (int i = 0; i < 500; i++) {
        JsonObject err = attacker.take("error");
        codes.merge(err.getString("code"), 1, Integer::sum);
        assertFalse(err.getString("message").isBlank());
      }
      assertFalse(attacker.isClosed());
      attacker.ok(new JsonObject().put("type", "subscribe").put("channel", "after-the-storm"));
      assertEquals(Map.of("bad_request", 440, "not_subscribed", 40, "unknown_type", 20), codes);
      assertEquals(420, node.node.metrics().malformedFrames.sum(), "frames that failed to decode");
      sender.ok(new JsonObject().put("type", "publish").put("channel", "target").put("data", "still here"));
      assertEquals("still here", receiver.take("message").getString("data"));
    }
  }
}
