package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every limit refuses with its contract code, and what it refuses costs the others nothing. */
class HardeningTest {

  private static String upgradeStatus(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(2000);
      return RawWebSocket.handshakeStatusLine(s, "/ws");
    }
  }

  @Test
  void deniedAndNotAllowedAddressesGet403BeforeTheUpgrade() throws Exception {
    try (TestNode denied = TestNode.start(c -> c.set(ConfigOption.IP_DENY, "10.0.0.0/8, 127.0.0.0/8"));
         TestNode notAllowed = TestNode.start(c -> c.set(ConfigOption.IP_ALLOW, "192.168.0.0/16"));
         TestNode allowed = TestNode.start(c -> c.set(ConfigOption.IP_ALLOW, "127.0.0.1/32, ::1"))) {
      assertTrue(upgradeStatus(denied.port()).contains(" 403 "));
      assertTrue(upgradeStatus(notAllowed.port()).contains(" 403 "));
      assertTrue(upgradeStatus(allowed.port()).contains(" 101 "));
    }
  }

  @Test
  void perAddressConnectionCapAndConnectRateGet429() throws Exception {
    try (TestNode capped = TestNode.start(c -> c.set(ConfigOption.MAX_CONNECTIONS_PER_IP, 2));
         TestNode rated = TestNode.start(c -> c.set(ConfigOption.CONNECT_RATE_PER_IP, 2))) {
      WsClient one = capped.open();
      capped.open();
      assertTrue(upgradeStatus(capped.port()).contains(" 429 "), "a third connection from the address");
      one.close();
      long deadline = System.nanoTime() + 5_000_000_000L;
      String status = "";
      while (!status.contains(" 101 ") && System.nanoTime() < deadline) {
        status = upgradeStatus(capped.port()); // the closed one's place is free again
      }
      assertTrue(status.contains(" 101 "));

      List<String> statuses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        statuses.add(upgradeStatus(rated.port()));
      }
      assertTrue(statuses.stream().filter(st -> st.contains(" 101 ")).count() <= 5, statuses::toString);
      assertTrue(statuses.stream().anyMatch(st -> st.contains(" 429 ")), statuses::toString);
    }
  }

  @Test
  void subscriptionCapAndChannelPublishRateAnswerRateLimited() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.MAX_SUBSCRIPTIONS, 2)
        .set(ConfigOption.CHANNEL_PUBLISH_RATE, 2))) {
      WsClient c = node.open();
      c.ok(new JsonObject().put("type", "subscribe").put("channel", "a"));
      c.ok(new JsonObject().put("type", "subscribe").put("channel", "b"));
      assertEquals("rate_limited", c.errorCode(new JsonObject().put("type", "subscribe").put("channel", "c")));
      int accepted = 0;
      String refusal = null;
      for (int i = 0; i < 10 && refusal == null; i++) {
        JsonObject reply = c.call(new JsonObject().put("type", "publish").put("channel", "a").put("data", i));
        if ("ack".equals(reply.getString("type"))) {
          accepted++;
        } else {
          refusal = reply.getString("code");
        }
      }
      assertEquals("rate_limited", refusal);
      assertTrue(accepted >= 2 && accepted <= 5, "burst of twice the rate: " + accepted);
      c.ok(new JsonObject().put("type", "publish").put("channel", "b").put("data", "other channel"));
    }
  }

  @Test
  void aFragmentedMessagePastTheLimitClosesWith1009BeforeItEnds() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.MAX_MESSAGE_SIZE, 1024));
         Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(3000);
      RawWebSocket.handshake(s, "/ws");
      OutputStream out = s.getOutputStream();
      RawWebSocket.sendFrame(out, false, 0x1, "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = "x".repeat(600).getBytes(StandardCharsets.UTF_8);
      RawWebSocket.sendFrame(out, false, 0x0, chunk);
      RawWebSocket.sendFrame(out, false, 0x0, chunk); // past 1024 bytes; the message never ends
      assertEquals(1009, RawWebSocket.readCloseCode(s.getInputStream()));
    }
  }

  @Test
  void tooManyFragmentsCloseWith1009AndAPingFloodWith4029() throws Exception {
    try (TestNode node = TestNode.start(); Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(3000);
      RawWebSocket.handshake(s, "/ws");
      OutputStream out = s.getOutputStream();
      RawWebSocket.sendFrame(out, false, 0x1, new byte[0]);
      for (int i = 0; i < 1100; i++) {
        RawWebSocket.sendFrame(out, false, 0x0, new byte[0]);
      }
      assertEquals(1009, RawWebSocket.readCloseCode(s.getInputStream()));
    }
    try (TestNode node = TestNode.start(); Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(3000);
      RawWebSocket.handshake(s, "/ws");
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < 200; i++) {
        RawWebSocket.sendFrame(out, true, 0x9, new byte[0]);
      }
      assertEquals(4029, RawWebSocket.readCloseCode(s.getInputStream()));
    }
  }

  @Test
  void invalidUtf8ClosesWith1007AndNumbersThatDoNotFitAreBadRequests() throws Exception {
    try (TestNode node = TestNode.start(); Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(3000);
      RawWebSocket.handshake(s, "/ws");
      byte[] cesu = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
      RawWebSocket.sendFrame(s.getOutputStream(), true, 0x1, cesu);
      assertEquals(1007, RawWebSocket.readCloseCode(s.getInputStream()));
    }
    try (TestNode node = TestNode.start()) {
      WsClient c = node.open();
      c.sendText("{\"type\":\"ping\",\"id\":1e309}");
      JsonObject error = c.take("error");
      assertEquals("bad_request", error.getString("code"));
      c.sendText("{\"type\":\"history\",\"channel\":\"h\",\"limit\":1e400,\"id\":2}");
      assertEquals("bad_request", c.take("error").getString("code"));
      c.send(new JsonObject().put("type", "ping").put("id", 3));
      assertEquals(3, c.take("pong").getInteger("id"), "still connected");
    }
  }
}
