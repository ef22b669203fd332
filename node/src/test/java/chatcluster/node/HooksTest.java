package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.hooks.ConnectionInfo;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The embedding API: hooks, event handlers, createChannel and broadcast. */
class HooksTest {

  private static JsonObject cmd(String type, String channel) {
    return new JsonObject().put("type", type).put("channel", channel);
  }

  /**
   * An embedder may complete a hook's Future on a thread of its own; the session still goes on on its
   * event loop (its socket is written from there only): the welcome, the publish's ack and the
   * message all arrive, in order.
   */
  @Test
  void hooksCompletedOnAForeignThreadLetTheSessionGoOnOnItsLoop() {
    try (TestNode node = TestNode.start(c -> {}, b -> {})) {
      node.node.onConnectionOpen(c -> later()).onMessageReceived(m -> later());
      WsClient c = node.client().connect();
      c.take("welcome");
      c.ok(new JsonObject().put("type", "subscribe").put("channel", "foreign"));
      for (int i = 0; i < 20; i++) {
        c.send(new JsonObject().put("type", "publish").put("channel", "foreign").put("data", i).put("id", 100 + i));
      }
      List<JsonObject> frames = c.takeAll(f -> "message".equals(f.getString("type")), 20, Duration.ofSeconds(10));
      for (int i = 0; i < 20; i++) {
        assertEquals(i, frames.get(i).getInteger("data"));
      }
    }
  }

  /** A Future completed 20 ms later by a plain thread, outside Vert.x. */
  private static Future<Void> later() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.complete();
    });
    t.setDaemon(true);
    t.start();
    return done.future();
  }

  @Test
  void connectionOpenAndCloseHooksSeeTheAuthenticatedConnection() throws Exception {
    LinkedBlockingQueue<ConnectionInfo> opened = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<ConnectionInfo> closed = new LinkedBlockingQueue<>();
    try (TestNode node = TestNode.start(c -> {}, b -> {})) {
      node.node.onConnectionOpen(c -> {
        opened.add(c);
        return Future.succeededFuture();
      }).onConnectionClose(c -> {
        closed.add(c);
        return Future.succeededFuture();
      });
      WsClient c = node.client().uri("/ws?user=hooked&device=dev-h").connect();
      JsonObject welcome = c.take("welcome");
      ConnectionInfo info = opened.poll(5, TimeUnit.SECONDS);
      assertEquals(welcome.getString("session"), info.session());
      assertEquals("hooked", info.user());
      assertEquals("dev-h", info.device());
      assertTrue(info.anonymous());
      assertEquals("127.0.0.1", info.remoteAddress());
      assertEquals(node.node.id(), info.node());
      c.close();
      assertEquals(info.session(), closed.poll(5, TimeUnit.SECONDS).session());
    }
  }

  @Test
  void messageReceivedHooksRunGloballyAndPerChannelAndMayReject() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (TestNode node = TestNode.start(c -> {}, b -> {})) {
      node.node.onMessageReceived(m -> {
        seen.add("global:" + m.channel() + ":" + m.data());
        return "forbidden word".equals(m.data())
            ? Future.failedFuture(new IllegalArgumentException("message contains a forbidden word"))
            : Future.succeededFuture();
      });
      node.node.onMessageReceived("moderated", m -> {
        seen.add("moderated:" + m.data());
        return m.data() instanceof String s && s.length() > 5
            ? Future.failedFuture(new ChatException(ErrorCode.TOO_LARGE, "at most 5 characters here"))
            : Future.succeededFuture();
      });
      WsClient a = node.open("writer");
      WsClient b = node.open("reader");
      a.ok(cmd("subscribe", "moderated"));
      b.ok(cmd("subscribe", "moderated"));
      a.ok(cmd("subscribe", "open"));

      a.ok(cmd("publish", "moderated").put("data", "ok"));
      assertEquals("ok", b.take("message").getString("data"));
      JsonObject rejected = a.call(cmd("publish", "moderated").put("data", "too long for here"));
      assertEquals("too_large", rejected.getString("code"));
      assertEquals("at most 5 characters here", rejected.getString("message"));
      JsonObject bad = a.call(cmd("publish", "open").put("data", "forbidden word"));
      assertEquals("forbidden", bad.getString("code"));
      assertEquals("message contains a forbidden word", bad.getString("message"));
      b.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(200));
      assertEquals(List.of("global:moderated:ok", "moderated:ok", "global:moderated:too long for here",
          "moderated:too long for here", "global:open:forbidden word"), seen);
    }
  }

  @Test
  void eventHandlerMayRejectAnEvent() {
    try (TestNode node = TestNode.start(c -> {}, b -> {})) {
      node.node.onEvent("vote", e -> e.data() instanceof Number
          ? Future.succeededFuture(new JsonObject().put("counted", e.data()))
          : Future.failedFuture(ChatException.badRequest("a vote is a number")));
      WsClient a = node.open("voter");
      a.ok(cmd("subscribe", "poll"));
      assertEquals(3, a.ok(new JsonObject().put("type", "event").put("name", "vote").put("channel", "poll")
          .put("data", 3)).getInteger("counted"));
      assertEquals(3, a.take("event").getInteger("data"));
      assertEquals("bad_request", a.errorCode(new JsonObject().put("type", "event").put("name", "vote")
          .put("channel", "poll").put("data", "yes")));
      a.assertNone(f -> "event".equals(f.getString("type")), Duration.ofMillis(200));
    }
  }

  @Test
  void createChannelAtRunTimeAppliesItsOptions() {
    try (TestNode node = TestNode.start()) {
      node.node.createChannel("vip-*", ChannelOptions.builder().maxClients(1).persistent(true).build());
      WsClient a = node.open("first");
      WsClient b = node.open("second");
      a.ok(cmd("subscribe", "vip-lounge"));
      assertEquals("channel_full", b.errorCode(cmd("subscribe", "vip-lounge")));
      a.ok(cmd("publish", "vip-lounge").put("data", "kept"));
      assertEquals(1, a.ok(cmd("history", "vip-lounge")).getJsonArray("messages").size());
    }
  }

  @Test
  void broadcastWithoutChannelReachesEveryConnection() {
    try (TestNode node = TestNode.start()) {
      WsClient a = node.open();
      WsClient b = node.open();
      TestNode.await(node.node.broadcast(new JsonObject().put("notice", "maintenance at 5")));
      for (WsClient c : new WsClient[] {a, b}) {
        JsonObject f = c.take("broadcast");
        assertEquals("maintenance at 5", f.getJsonObject("data").getString("notice"));
        assertFalse(f.containsKey("channel"));
      }
    }
  }
}
