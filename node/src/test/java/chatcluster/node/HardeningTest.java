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

  /**
   * A reader that stops reading is closed as a slow consumer (4029), and as it cannot read the close
   * frame either, its TCP connection is dropped within seconds of the close: no socket left
   * established (as {@code ss} sees it), no kernel buffers held, its place free.
   */
  @Test
  void aSlowConsumerThatStoppedReadingIsGoneFromTheKernelWithinSecondsOfItsClose() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 65536));
         Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()));
      RawWebSocket.handshake(s, "/ws");
      RawWebSocket.sendText(s.getOutputStream(), "{\"type\":\"subscribe\",\"channel\":\"flood\",\"id\":1}");
      WsClient healthy = node.open("healthy");
      healthy.ok(new JsonObject().put("type", "subscribe").put("channel", "flood"));
      String big = "x".repeat(32 * 1024);
      long closedAt = 0;
      for (int i = 0; i < 2000 && closedAt == 0; i++) { // at most 64 MB, stops at the close
        node.node.broadcast("flood", big).toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        if (node.node.metrics().slowConsumersClosed.sum() > 0) {
          closedAt = System.nanoTime();
        }
      }
      assertTrue(closedAt > 0, "the reader that stopped was closed as a slow consumer");
      int local = s.getLocalPort();
      long goneAfter = -1;
      while (System.nanoTime() - closedAt < java.time.Duration.ofSeconds(10).toNanos()) {
        if (!established(node.port(), local)) {
          goneAfter = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(goneAfter >= 0 && goneAfter <= 5000, "TCP connection gone " + goneAfter + " ms after the 4029");
      assertEquals(1, node.node.loopConnections().stream().mapToInt(Integer::intValue).sum(), "its place is free");
      healthy.send(new JsonObject().put("type", "ping").put("id", 9));
      assertEquals(9, healthy.take("pong").getInteger("id"), "the healthy reader is unaffected");
    }
  }

  /** Whether {@code ss} lists the TCP connection from {@code localPort} to the node as established. */
  private static boolean established(int nodePort, int localPort) throws Exception {
    Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + localPort + " and dport = :"
        + nodePort + " )").redirectErrorStream(true).start();
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, ss.waitFor(), out);
    return !out.isEmpty();
  }
}
