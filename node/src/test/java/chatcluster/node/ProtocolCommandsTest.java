package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every command of PROTOCOL.md section 2 against a started node, with real WebSocket clients. */
class ProtocolCommandsTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(c -> {}, b -> {});
    node.node.onEvent("typing", e -> io.vertx.core.Future.succeededFuture(new JsonObject().put("seen", true)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonObject cmd(String type) {
    return new JsonObject().put("type", type);
  }

  @Test
  void welcomeNamesSessionNodeUserDeviceAndHeartbeat() {
    WsClient c = node.client().uri("/ws?user=alice&device=phone-1").connect();
    JsonObject w = c.take("welcome");
    assertEquals(1, w.getInteger("version"));
    assertTrue(w.getString("session").startsWith("s-"));
    assertEquals(node.node.id(), w.getString("node"));
    assertEquals("alice", w.getString("user"));
    assertEquals("phone-1", w.getString("device"));
    assertEquals(30, w.getInteger("heartbeat"));
  }

  @Test
  void anonymousUserAndDeviceDefaultToTheSessionId() {
    WsClient c = node.client().connect();
    JsonObject w = c.take("welcome");
    assertEquals(w.getString("session"), w.getString("user"));
    assertEquals(w.getString("session"), w.getString("device"));
  }

  @Test
  void publishReachesEverySubscriberTheSenderIncluded() {
    WsClient a = node.open("pa");
    WsClient b = node.open("pb");
    WsClient outsider = node.open("pc");
    JsonObject subA = a.ok(cmd("subscribe").put("channel", "room-1"));
    assertEquals("room-1", subA.getString("channel"));
    assertEquals(0L, subA.getLong("offset"));
    assertNotNull(subA.getString("epoch"));
    assertFalse(subA.getBoolean("recovered"));
    b.ok(cmd("subscribe").put("channel", "room-1"));

    JsonObject data = new JsonObject().put("text", "hi").put("n", 1);
    JsonObject ack = a.ok(cmd("publish").put("channel", "room-1").put("data", data));
    assertEquals(new JsonObject().put("channel", "room-1").put("offset", 1), ack);

    for (WsClient c : new WsClient[] {a, b}) {
      JsonObject m = c.take("message");
      assertEquals("room-1", m.getString("channel"));
      assertEquals(data, m.getJsonObject("data"));
      assertEquals(1L, m.getLong("offset"));
      assertEquals(new JsonObject().put("user", "pa").put("device", "pa-d"), m.getJsonObject("from"));
      assertTrue(m.getLong("ts") > 0);
    }
    outsider.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(300));
  }

  @Test
  void publishCarriesAnyJsonValueAndKeepsOrder() {
    WsClient a = node.open("ord");
    a.ok(cmd("subscribe").put("channel", "order"));
    Object[] values = {"text", 42, 1.5, true, new JsonArray().add(1).add("x"), null};
    for (Object v : values) {
      a.ok(cmd("publish").put("channel", "order").put("data", v));
    }
    for (int i = 0; i < values.length; i++) {
      JsonObject m = a.take("message");
      assertEquals(i + 1L, m.getLong("offset"));
      assertEquals(values[i], m.getValue("data"));
    }
  }

  @Test
  void unsubscribeStopsDelivery() {
    WsClient a = node.open("ua");
    WsClient b = node.open("ub");
    a.ok(cmd("subscribe").put("channel", "unsub"));
    b.ok(cmd("subscribe").put("channel", "unsub"));
    assertEquals(new JsonObject().put("channel", "unsub"), b.ok(cmd("unsubscribe").put("channel", "unsub")));
    a.ok(cmd("publish").put("channel", "unsub").put("data", "x"));
    a.take("message");
    b.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(300));
    assertEquals("not_subscribed", b.errorCode(cmd("unsubscribe").put("channel", "unsub")));
  }

  @Test
  void eventReachesChannelSubscribersAndRunsTheServerHandlerFirst() {
    WsClient a = node.open("ea");
    WsClient b = node.open("eb");
    a.ok(cmd("subscribe").put("channel", "ev"));
    b.ok(cmd("subscribe").put("channel", "ev"));
    JsonObject ack = a.ok(cmd("event").put("name", "typing").put("channel", "ev").put("data", "on"));
    assertEquals("typing", ack.getString("name"));
    assertEquals("ev", ack.getString("channel"));
    assertEquals(true, ack.getBoolean("seen"), "handler result merged into the ack");
    JsonObject e = b.take("event");
    assertEquals("typing", e.getString("name"));
    assertEquals("ev", e.getString("channel"));
    assertEquals("on", e.getString("data"));
    assertEquals("ea", e.getJsonObject("from").getString("user"));
    assertFalse(e.containsKey("offset"), "events are outside the channel's stream");
  }

  @Test
  void eventWithoutChannelNeedsAHandler() {
    WsClient a = node.open("eh");
    assertEquals(true, a.ok(cmd("event").put("name", "typing")).getBoolean("seen"));
    assertEquals("not_found", a.errorCode(cmd("event").put("name", "nobody-handles-this")));
    assertEquals("not_subscribed", a.errorCode(cmd("event").put("name", "typing").put("channel", "elsewhere")));
    assertEquals("bad_request", a.errorCode(cmd("event").put("name", "")));
  }

  @Test
  void sendReachesEveryConnectionOfAUserOrDevice() {
    WsClient from = node.open("sender");
    WsClient t1 = node.client().uri("/ws?user=target&device=tab-1").open();
    WsClient t2 = node.client().uri("/ws?user=target&device=tab-2").open();
    JsonObject toUser = from.ok(cmd("send").put("to", new JsonObject().put("user", "target")).put("data", "hello"));
    assertEquals(2, toUser.getInteger("delivered"));
    for (WsClient t : new WsClient[] {t1, t2}) {
      JsonObject d = t.take("direct");
      assertEquals("hello", d.getString("data"));
      assertEquals("sender", d.getJsonObject("from").getString("user"));
    }
    JsonObject toDevice = from.ok(cmd("send").put("to", new JsonObject().put("device", "tab-2")).put("data", 7));
    assertEquals(1, toDevice.getInteger("delivered"));
    assertEquals(7, t2.take("direct").getInteger("data"));
    t1.assertNone(f -> "direct".equals(f.getString("type")), Duration.ofMillis(200));
    assertEquals("not_found", from.errorCode(cmd("send").put("to", new JsonObject().put("user", "ghost"))
        .put("data", 1)));
  }

  @Test
  void pingIsAnsweredWithPong() {
    WsClient a = node.open();
    a.send(cmd("ping").put("id", 5));
    JsonObject pong = a.take("pong");
    assertEquals(5, pong.getInteger("id"));
    a.send(cmd("ping"));
    assertNull(a.take("pong").getValue("id"));
  }

  @Test
  void restRelayCommandsAnswerUnavailableUntilConfigured() {
    WsClient a = node.open();
    assertEquals("unavailable", a.errorCode(cmd("request").put("path", "/x").put("method", "GET")));
    assertEquals("unavailable", a.errorCode(cmd("tasks")));
    assertEquals("unavailable", a.errorCode(cmd("cancel").put("task", "t-1")));
    // Older clients: path and method without a type is a request.
    assertEquals("unavailable", a.errorCode(new JsonObject().put("path", "/x").put("method", "GET")));
  }

  @Test
  void commandsWithoutIdGetNoAckButErrorsWithNullId() {
    WsClient a = node.open();
    a.send(cmd("subscribe").put("channel", "noid"));
    a.send(cmd("publish").put("channel", "noid").put("data", 1));
    assertEquals(1L, a.take("message").getLong("offset"));
    assertTrue(a.pending().stream().noneMatch(f -> "ack".equals(f.getString("type"))));
    a.send(cmd("publish").put("channel", "not-joined").put("data", 1));
    JsonObject err = a.take("error");
    assertTrue(err.containsKey("id"));
    assertNull(err.getValue("id"));
    assertEquals("not_subscribed", err.getString("code"));
  }

  @Test
  void numericIdsComeBackAsNumbers() {
    WsClient a = node.open();
    a.send(cmd("subscribe").put("channel", "nid").put("id", 12));
    JsonObject ack = a.take("ack");
    assertEquals(12, ack.getValue("id"));
  }

  @Test
  void errorsNameWhatIsWrong() {
    WsClient a = node.open();
    assertEquals("unknown_type", a.errorCode(cmd("dance")));
    assertEquals("bad_request", a.errorCode(cmd("subscribe")));
    assertEquals("bad_request", a.errorCode(cmd("subscribe").put("channel", "bad channel!")));
    assertEquals("bad_request", a.errorCode(cmd("subscribe").put("channel", "x".repeat(129))));
    assertEquals("bad_request", a.errorCode(cmd("subscribe").put("channel", 5)));
    assertEquals("bad_request", a.errorCode(cmd("publish").put("channel", "c")));
    assertEquals("bad_request", a.errorCode(cmd("send").put("to", new JsonObject()).put("data", 1)));
    assertEquals("bad_request", a.errorCode(cmd("history").put("channel", "c").put("limit", -1)));
    assertEquals("bad_request", a.errorCode(cmd("subscribe").put("channel", "c").put("since", "yesterday")));
    a.ok(cmd("subscribe").put("channel", "twice"));
    assertEquals("bad_request", a.errorCode(cmd("subscribe").put("channel", "twice")));

    a.send(new JsonObject().put("type", "subscribe").put("channel", "c").put("id", "x".repeat(65)));
    JsonObject err = a.take("error");
    assertNull(err.getValue("id"));
    assertTrue(err.getString("message").contains("id"));

    JsonObject missing = a.call(cmd("publish").put("channel", "c"));
    assertTrue(missing.getString("message").contains("'data'"), missing::encode);
  }
}
