package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GET /metrics in Prometheus text format (PROTOCOL.md section 6). */
class MetricsTest {

  @Test
  void metricsCountWhatTheNodeDid() throws Exception {
    try (TestNode node = TestNode.start()) {
      WsClient a = node.open();
      WsClient b = node.open();
      a.ok(new JsonObject().put("type", "subscribe").put("channel", "m"));
      b.ok(new JsonObject().put("type", "subscribe").put("channel", "m"));
      a.ok(new JsonObject().put("type", "publish").put("channel", "m").put("data", 1));
      a.take("message");
      b.take("message");
      a.sendText("not json");
      a.take("error");

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      String text = r.body();
      String tag = "node=\"" + node.node.id() + "\"";
      assertEquals(2.0, value(text, "chatcluster_connections", tag));
      assertEquals(1.0, value(text, "chatcluster_channels", tag));
      assertEquals(1.0, value(text, "chatcluster_messages_published_total", tag));
      assertEquals(1.0, value(text, "chatcluster_frames_encoded_total", tag));
      assertEquals(2.0, value(text, "chatcluster_frames_delivered_total", tag));
      assertEquals(1.0, value(text, "chatcluster_frames_malformed_total", tag));
      assertEquals(1.0, value(text, "chatcluster_ready", tag));
      assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics too");
    }
  }

  private static double value(String text, String name, String tag) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*" + Pattern.quote(tag) + "[^}]*\\} (\\S+)$").matcher(text);
    if (!m.find()) {
      throw new AssertionError(name + " not in:\n" + text.lines().filter(l -> l.startsWith("chatcluster")).toList());
    }
    return Double.parseDouble(m.group(1));
  }
}
