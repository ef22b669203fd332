package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reader that stops reading can read neither what it was sent nor the close frame that ends it: the
 * node drops its TCP connection a few seconds after the close, so its place, the node's buffers and
 * the kernel's are freed, as {@code ss} shows.
 */
class SlowReadersTest {

  @Test
  void aSlowConsumerThatStoppedReadingIsGoneFromTheKernelWithinSecondsOfIts4029() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 65536));
         Socket s = stalledReader(node, "flood")) {
      WsClient healthy = node.open("healthy");
      String big = "x".repeat(32 * 1024);
      long closedAt = 0;
      int sent = 0;
      for (; sent < 200 && closedAt == 0; sent++) { // at most 6.4 MB, stops at the close
        TestNode.await(node.node.broadcast("flood", big));
        if (node.node.metrics().slowConsumersClosed.sum() > 0) {
          closedAt = System.nanoTime();
        }
      }
      assertTrue(closedAt > 0, "the reader that stopped was closed as a slow consumer");
      // sendQueueMax (64 KB) + the bounded kernel buffer (2 x 128 KB) + the reader's 4 KB window, and
      // the frames in flight: far below the 4 MB the kernel's autotuning would hold.
      assertTrue(sent * 32L * 1024 < 1024 * 1024, "detected after " + sent + " frames of 32 KB");
      long goneAfter = waitUntilGone(node.port(), s.getLocalPort(), closedAt);
      System.out.println("slow consumer: closed after " + sent + " frames of 32 KB, TCP gone " + goneAfter
          + " ms after the 4029");
      assertTrue(goneAfter >= 0 && goneAfter <= 5000, () -> "TCP connection gone " + goneAfter
          + " ms after the 4029; dropped " + node.node.metrics().closesDropped.sum() + "; " + sockets(node.port()));
      assertEquals(1, node.node.metrics().closesDropped.sum(), "dropped as a close not completed");
      assertEquals(1, node.node.loopConnections().stream().mapToInt(Integer::intValue).sum(), "its place is free");
      healthy.send(new JsonObject().put("type", "ping").put("id", 9));
      assertEquals(9, healthy.take("pong").getInteger("id"), "the healthy reader is unaffected");
    }
  }

  /**
   * A batched connection (frames held up to writeDelay, here 1 s) that stopped reading: what it holds
   * counts toward sendQueueMax, so it is closed with 4029 as early as a v1 one, before the delay ends.
   */
  @Test
  void aBatchedSlowConsumerIsClosedWhatItHoldsCounted() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 65536).set(ConfigOption.WRITE_DELAY, 1000));
         Socket s = stalledReader(node, "flood", "/ws?batch=1")) {
      String big = "x".repeat(32 * 1024);
      long start = System.nanoTime();
      int sent = 0;
      for (; sent < 200 && node.node.metrics().slowConsumersClosed.sum() == 0; sent++) {
        TestNode.await(node.node.broadcast("flood", big));
      }
      long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(1, node.node.metrics().slowConsumersClosed.sum(), "closed as a slow consumer");
      assertTrue(sent * 32L * 1024 < 1024 * 1024, "detected after " + sent + " frames of 32 KB");
      long goneAfter = waitUntilGone(node.port(), s.getLocalPort(), System.nanoTime());
      System.out.println("batched slow consumer: closed after " + sent + " frames of 32 KB (" + closedAfter
          + " ms), TCP gone " + goneAfter + " ms after the 4029");
      assertTrue(goneAfter >= 0 && goneAfter <= 5000, "TCP connection gone " + goneAfter + " ms after the 4029");
    }
  }

  @Test
  void aReaderWhosePongIsOverdueBehindQueuedFramesIsClosedAndDropped() throws Exception {
    // A send queue far above what is sent: never a slow consumer, only the heartbeat can find it.
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 8 * 1024 * 1024)
        .set(ConfigOption.PING_INTERVAL, 1));
         Socket s = stalledReader(node, "stuck")) {
      String big = "x".repeat(32 * 1024);
      for (int i = 0; i < 32; i++) { // 1 MB: fills the kernel's buffers, the ping waits behind
        TestNode.await(node.node.broadcast("stuck", big));
      }
      long filledAt = System.nanoTime();
      long goneAfter = waitUntilGone(node.port(), s.getLocalPort(), filledAt);
      System.out.println("pong overdue: TCP gone " + goneAfter + " ms after the reader stalled");
      assertEquals(0, node.node.metrics().slowConsumersClosed.sum(), "not a slow consumer");
      // Two intervals without a frame (2 s, on a 1 s sweep), then the close's deadline (3 s).
      assertTrue(goneAfter >= 0 && goneAfter <= 8000, "TCP connection gone " + goneAfter + " ms after it stalled");
      assertEquals(1, node.node.metrics().closesDropped.sum());
      assertEquals(0, node.node.loopConnections().stream().mapToInt(Integer::intValue).sum(), "its place is free");
    }
  }

  /**
   * A reader that is slow but still reading gets its close code, however long what waits before the
   * close frame takes: the deadline is extended while the node's unsent bytes go down. 1.5 MB wait for
   * a reader taking 300 KB a second when the node drains (1012): five seconds, beyond one deadline.
   */
  @Test
  void aSlowReaderThatKeepsReadingGetsItsCloseCodeAfterTheDeadline() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.SEND_QUEUE_MAX, 8 * 1024 * 1024));
         Socket s = stalledReader(node, "slow")) {
      String big = "x".repeat(32 * 1024);
      for (int i = 0; i < 48; i++) {
        TestNode.await(node.node.broadcast("slow", big));
      }
      node.node.drain(Duration.ofMillis(100));
      long start = System.nanoTime();
      s.setSoTimeout(10_000);
      int code = RawWebSocket.readCloseCode(throttled(s.getInputStream(), 300 * 1024));
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("slow but reading: close code " + code + " after " + took + " ms of reading");
      assertEquals(1012, code, "the close code, not a reset");
      assertTrue(took > 3000, "it read for longer than one deadline (3 s): " + took + " ms");
      assertEquals(0, node.node.metrics().closesDropped.sum(), "not dropped");
    }
  }

  /** {@code in} read at no more than {@code bytesPerSecond}. */
  private static java.io.InputStream throttled(java.io.InputStream in, long bytesPerSecond) {
    return new java.io.FilterInputStream(in) {
      private final long start = System.nanoTime();
      private long bytes;

      @Override
      public int read() throws java.io.IOException {
        int b = super.read();
        pace(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        int n = super.read(b, off, Math.min(len, 4096));
        pace(Math.max(0, n));
        return n;
      }

      private void pace(int n) {
        bytes += n;
        long due = start + bytes * 1_000_000_000L / bytesPerSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
    };
  }

  /** A raw client subscribed to {@code channel} that reads nothing more, with a small receive window. */
  private static Socket stalledReader(TestNode node, String channel) throws Exception {
    return stalledReader(node, channel, "/ws");
  }

  private static Socket stalledReader(TestNode node, String channel, String path) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", node.port()));
    s.setSoTimeout(3000);
    RawWebSocket.handshake(s, path);
    RawWebSocket.sendText(s.getOutputStream(), "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}");
    String reply;
    do { // the welcome, then the subscribe's answer: subscribed before it stops reading
      reply = new String(RawWebSocket.readFrame(s.getInputStream()).payload(), StandardCharsets.UTF_8);
    } while (!reply.contains("\"id\":1"));
    assertTrue(reply.contains("\"ack\""), reply);
    return s;
  }

  /** Milliseconds after {@code since} until neither end of the connection is established, or -1 after 10 s. */
  private static long waitUntilGone(int nodePort, int clientPort, long since) throws Exception {
    while (System.nanoTime() - since < Duration.ofSeconds(10).toNanos()) {
      if (!established(nodePort, clientPort)) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
      }
      Thread.sleep(100);
    }
    return -1;
  }

  private static String sockets(int nodePort) {
    try {
      Process ss = new ProcessBuilder("ss", "-tnpeio", "( sport = :" + nodePort + " or dport = :" + nodePort + " )")
          .redirectErrorStream(true).start();
      return new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Whether {@code ss} lists either end of the TCP connection between the node and the client port as established. */
  private static boolean established(int nodePort, int clientPort) throws Exception {
    Process ss = new ProcessBuilder("ss", "-Htn", "state", "established",
        "( ( sport = :" + clientPort + " and dport = :" + nodePort + " ) or ( sport = :" + nodePort
            + " and dport = :" + clientPort + " ) )").redirectErrorStream(true).start();
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, ss.waitFor(), out);
    return !out.isEmpty();
  }
}
