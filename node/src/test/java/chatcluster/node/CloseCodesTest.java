package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every close code of PROTOCOL.md section 4, provoked the way a client would meet it. */
class CloseCodesTest {

  @Test
  void normalCloseIsAnsweredWith1000AndReleasesTheConnectionsChannels() {
    try (TestNode node = TestNode.start(c -> c.channel("room", ChannelOptions.builder().presence(true).build()))) {
      WsClient stay = node.open("stay");
      stay.ok(new JsonObject().put("type", "subscribe").put("channel", "room"));
      WsClient go = node.open("go");
      go.ok(new JsonObject().put("type", "subscribe").put("channel", "room"));
      go.close(CloseCode.NORMAL.code());
      assertEquals(1000, go.closeCode());
      assertEquals("go", stay.take(f -> "leave".equals(f.getString("type"))).getString("user"));
    }
  }

  @Test
  void binaryFrameClosesWith1003() {
    try (TestNode node = TestNode.start()) {
      WsClient c = node.open();
      c.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
      assertEquals(1003, c.closeCode());
    }
  }

  @Test
  void originNotAllowedClosesWith1008() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.ALLOWED_ORIGINS, "https://chat.example.com"))) {
      assertEquals(1008, RawWebSocket.closeCodeAfterHandshake(node.port(), "Origin: https://evil.example.net"));
      assertEquals(-1, RawWebSocket.closeCodeAfterHandshake(node.port(), "Origin: https://chat.example.com"),
          "an allowed origin is not closed");
      node.client().open(); // non-browser clients send no Origin
    }
  }

  @Test
  void messageOverMaxMessageSizeClosesWith1009() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.MAX_MESSAGE_SIZE, 1024))) {
      WsClient small = node.open();
      small.ok(new JsonObject().put("type", "subscribe").put("channel", "size").put("pad", "x".repeat(900)));
      WsClient big = node.open();
      big.send(new JsonObject().put("type", "publish").put("channel", "size").put("data", "x".repeat(2000)));
      assertEquals(1009, big.closeCode());
      small.ok(new JsonObject().put("type", "ping").put("type", "presence").put("channel", "x").put("type", "tasks")
          .put("type", "subscribe").put("channel", "still-fine"));
    }
  }

  /**
   * Frames the WebSocket decoder cannot take (RFC 6455 section 5) get their close code before the TCP
   * connection ends, a frame over the decoder's hard cap too; the node's other clients are unaffected
   * and the connections are gone right after.
   */
  @Test
  void protocolViolationsCloseWith1002AndOversizedFramesWith1009BeforeTheConnectionEnds() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.MAX_MESSAGE_SIZE, 4096))) {
      WsClient bystander = node.open("bystander");
      byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      java.util.Map<String, byte[]> violations = new java.util.LinkedHashMap<>();
      violations.put("an unmasked client frame", concat(new byte[] {(byte) 0x81, (byte) ping.length}, ping));
      violations.put("RSV1 without an extension", concat(new byte[] {(byte) 0xC1, (byte) (0x80 | ping.length), 1, 2, 3, 4}, ping));
      violations.put("reserved opcode 3", new byte[] {(byte) 0x83, (byte) 0x80, 1, 2, 3, 4});
      violations.put("a 126-byte ping", concat(new byte[] {(byte) 0x89, (byte) (0x80 | 126), 0, 126, 1, 2, 3, 4},
          new byte[126]));
      violations.put("a length with the top bit set", new byte[] {(byte) 0x81, (byte) 0xFF,
          (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
      java.util.Map<String, Integer> expected = new java.util.LinkedHashMap<>();
      violations.keySet().forEach(k -> expected.put(k, 1002));
      // Over maxMessageSize the assembler says 1009; far over it (the decoder's cap) the decoder does.
      violations.put("a 1 MB frame", concat(new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0x10, 0, 0,
          1, 2, 3, 4}, new byte[1 << 20]));
      expected.put("a 1 MB frame", 1009);
      java.util.Map<String, Integer> got = new java.util.LinkedHashMap<>();
      for (var v : violations.entrySet()) {
        try (Socket s = new Socket("127.0.0.1", node.port())) {
          s.setSoTimeout(5000);
          RawWebSocket.handshake(s, "/ws");
          OutputStream out = s.getOutputStream();
          try {
            out.write(v.getValue());
            out.flush();
          } catch (java.io.IOException closedWhileWriting) {
            // the 1 MB frame: the node may close before it has all of it; its close frame is read below
          }
          got.put(v.getKey(), RawWebSocket.readCloseCode(s.getInputStream()));
          assertTrue(ended(s), v.getKey() + ": the TCP connection ends after the close frame");
        }
      }
      assertEquals(expected, got);
      bystander.send(new JsonObject().put("type", "ping").put("id", "still-here"));
      assertEquals("still-here", bystander.take("pong").getString("id"), "the node's other clients are unaffected");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (open(node) > 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, open(node), "the refused connections are gone");
    }
  }

  /** Whether the node ended the TCP connection: end of stream, or a reset (it had unread bytes of ours). */
  private static boolean ended(Socket s) throws java.io.IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  private static int open(TestNode node) {
    return node.node.loopConnections().stream().mapToInt(Integer::intValue).sum();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void failingConnectionOpenHookClosesWith1011() {
    try (TestNode node = TestNode.start(c -> {}, b -> {})) {
      node.node.onConnectionOpen(conn -> "crash".equals(conn.user())
          ? Future.failedFuture(new IllegalStateException("hook bug"))
          : Future.succeededFuture());
      assertEquals(1011, node.client().uri("/ws?user=crash").connect().closeCode());
      node.open("fine");
    }
  }

  @Test
  void drainClosesWith1012AndRefusesNewConnections() throws Exception {
    try (TestNode node = TestNode.start()) {
      List<WsClient> clients = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        clients.add(node.open());
      }
      assertEquals(200, status(node.port(), "/health/ready"));
      Future<Void> drained = node.node.drain(Duration.ofMillis(500));
      for (WsClient c : clients) {
        assertEquals(1012, c.closeCode());
      }
      TestNode.await(drained);
      assertEquals(503, status(node.port(), "/health/ready"));
      assertEquals(200, status(node.port(), "/health/live"));
      assertEquals(503, upgradeStatus(node.port()), "a draining node refuses new connections");
    }
  }

  @Test
  void fullNodeClosesWith1013() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.MAX_CLIENTS, 2))) {
      WsClient a = node.open();
      node.open();
      assertEquals(1013, node.client().connect().closeCode());
      a.close();
      a.closeCode();
      node.open(); // a's place is free again
    }
  }

  @Test
  void unauthorizedClosesWith4001AndForbiddenWith4003() {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_ENABLED, true).set(ConfigOption.AUTH_TOKEN, "t"))) {
      assertEquals(4001, node.client().header("Authorization", "Bearer nope").connect().closeCode());
      node.node.onConnectionOpen(conn -> "blocked".equals(conn.user())
          ? Future.failedFuture(chatcluster.node.protocol.ChatException.forbidden("blocked user"))
          : Future.succeededFuture());
      assertEquals(4003, node.client().uri("/ws?user=blocked").header("Authorization", "Bearer t").connect()
          .closeCode());
    }
  }

  @Test
  void floodingPastTheRateLimitIsDroppedThenClosed4029AfterTheGrace() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RATE_LIMIT, 5).set(ConfigOption.RATE_BURST, 5)
        .set(ConfigOption.RATE_LIMIT_GRACE, 1))) {
      WsClient c = node.open();
      long start = System.nanoTime();
      int sent = 0;
      while (c.trySend(new JsonObject().put("type", "ping").put("id", sent)) && System.nanoTime() - start < 5e9) {
        sent++;
        Thread.sleep(2); // a steady flood, bounded in time
      }
      assertEquals(4029, c.closeCode());
      long closedAfter = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closedAfter >= 1000 && closedAfter < 4000, "closed after the 1 s grace: " + closedAfter + " ms");
      long pongs = c.pending().stream().filter(f -> "pong".equals(f.getString("type"))).count();
      long errors = c.pending().stream().filter(f -> "rate_limited".equals(f.getString("code"))).count();
      assertTrue(pongs <= 5 + 5 * 4, "frames over the rate were dropped, not answered: " + pongs + " pongs of " + sent);
      assertTrue(errors >= 1 && errors <= 4, "told at most once a second: " + errors);
      node.open(); // others unaffected
    }
  }

  @Test
  void slowConsumerIsClosedWith4029() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 65536).set(ConfigOption.RATE_LIMIT, 0))) {
      // A raw client that subscribes and then never reads.
      try (Socket raw = new Socket("127.0.0.1", node.port())) {
        raw.setReceiveBufferSize(4096);
        OutputStream out = raw.getOutputStream();
        RawWebSocket.handshake(raw, "/ws");
        RawWebSocket.sendText(out, "{\"type\":\"subscribe\",\"channel\":\"firehose\",\"id\":1}");
        WsClient publisher = node.open();
        publisher.ok(new JsonObject().put("type", "subscribe").put("channel", "firehose"));
        String payload = "y".repeat(30_000);
        for (int i = 0; i < 2000 && node.node.metrics().slowConsumersClosed.sum() == 0; i++) {
          publisher.send(new JsonObject().put("type", "publish").put("channel", "firehose").put("data", payload));
          publisher.take("message");
        }
        assertEquals(1, node.node.metrics().slowConsumersClosed.sum());
        // The publisher, a fast consumer, is unaffected.
        publisher.ok(new JsonObject().put("type", "ping").put("type", "unsubscribe").put("channel", "firehose"));
      }
    }
  }

  static int status(int port, String path) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  static int upgradeStatus(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      String line = RawWebSocket.handshakeStatusLine(s, "/ws");
      return Integer.parseInt(line.split(" ")[1]);
    }
  }

  /** The few bytes of RFC 6455 a raw client needs, for clients that misbehave on purpose. */
}
