package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Abuse that costs the others nothing, on a node process (2 event loops, 256 MB heap): a client that
 * floods as fast as it can and reconnects after every close, while 100 others chat; and a client that
 * stops reading while 50 MB are published to it.
 */
class AbuseStressIT {
  private static final int CHATTERS = 100;
  private static final int ROOMS = 10;

  @Test
  void aFlooderThatKeepsReconnectingDoesNotSlowTheChattersDown() throws Exception {
    int port = NodeProcess.freePort();
    Vertx vertx = Vertx.vertx();
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port,
        "WEBSOCKET_EVENT_LOOPS", "2", "WEBSOCKET_RATE_LIMIT_GRACE", "1", "WEBSOCKET_CONNECT_RATE_PER_IP", "20"))) {
      node.awaitReady(port, Duration.ofSeconds(60));
      List<WsClient> chatters = new ArrayList<>();
      for (int i = 0; i < CHATTERS; i++) {
        WsClient c = connectRetrying(vertx, port, "127.0.0.1");
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "room-" + (i % ROOMS)));
        chatters.add(c);
      }
      chat(chatters, 1); // warm-up, not counted
      Phase quiet = chat(chatters, 4);
      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicInteger flooderConnections = new AtomicInteger();
      AtomicInteger flooderRefused = new AtomicInteger();
      // The flooder has event loops of its own: sharing the chatters' would slow their clients, not the node.
      Vertx flooderVertx = Vertx.vertx();
      Thread flooder = new Thread(() -> {
        String frame = new JsonObject().put("type", "ping").encode();
        while (flooding.get()) {
          WsClient f;
          try {
            f = WsClient.to(flooderVertx, port).localAddress("127.0.0.2").open();
            flooderConnections.incrementAndGet();
          } catch (AssertionError refused) {
            flooderRefused.incrementAndGet();
            pause(20);
            continue;
          }
          while (flooding.get() && !f.isClosed() && f.trySendText(frame)) {
            // as fast as it can; the node drops what is over the rate and closes it after the grace
          }
          f.close();
        }
      });
      flooder.start();
      pause(1000); // the flooder is in full swing
      Phase flooded = chat(chatters, 8);
      flooding.set(false);
      flooder.join(10_000);
      flooderVertx.close();
      System.out.printf("abuse: 100 chatters in 10 rooms at 5 msg/s; p99 %d ms (max %d) alone, %d ms (max %d) beside"
          + " a flooder that opened %d connections (%d refused with 429); lost %d%n", quiet.p99, quiet.max, flooded.p99,
          flooded.max, flooderConnections.get(), flooderRefused.get(), quiet.lost + flooded.lost);
      assertEquals(0, quiet.lost + flooded.lost, "the chatters lose nothing");
      // The target is 50 ms on this 2-core machine when the test has it to itself, but CI runs the
      // Autobahn fuzzer beside it: p99 alone was 18 to 54 ms in four runs there, beside the flooder 20
      // to 116 ms. An unprotected node (every flood frame decoded, reconnects unthrottled) gives
      // seconds, which is what this bound is for.
      long bound = quiet.p99 <= 50 ? 150 : quiet.p99 * 2 + 50;
      assertTrue(flooded.p99 < bound, "p99 beside the flooder " + flooded.p99 + " ms, bound " + bound + " ms");
      chatters.forEach(WsClient::close);
    } finally {
      vertx.close();
    }
  }

  @Test
  void aClientThatStopsReadingIsClosedAndTheHeapStaysFlat() throws Exception {
    int port = NodeProcess.freePort();
    Vertx vertx = Vertx.vertx();
    try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port,
        "WEBSOCKET_RATE_LIMIT", "0"))) {
      node.awaitReady(port, Duration.ofSeconds(60));
      stalledClientIsClosed(vertx, port);
    } finally {
      vertx.close();
    }
  }

  private static void stalledClientIsClosed(Vertx vertx, int port) throws Exception {
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      RawWebSocket.handshake(stalled, "/ws");
      RawWebSocket.sendText(stalled.getOutputStream(), "{\"type\":\"subscribe\",\"channel\":\"firehose\",\"id\":1}");
      WsClient publisher = WsClient.to(vertx, port).open();
      publisher.ok(new JsonObject().put("type", "subscribe").put("channel", "firehose"));
      String payload = "z".repeat(50_000);
      long maxHeap = 0;
      int closeCode = -1;
      for (int i = 0; i < 1000; i++) { // 50 MB
        publisher.ok(new JsonObject().put("type", "publish").put("channel", "firehose").put("data", payload));
        publisher.takeAll(f -> "message".equals(f.getString("type")), 1, Duration.ofSeconds(10));
        if (i % 100 == 0) {
          maxHeap = Math.max(maxHeap, metric(port, "jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\}"));
        }
        if (closeCode < 0 && i % 10 == 0 && metric(port, "chatcluster_slow_consumers_closed_total\\{[^}]*\\}") > 0) {
          // Read at once: a peer that does not take its close frame within 3 s is reset by the node,
          // and what waited in the socket (the close frame too) goes with it.
          stalled.setSoTimeout(5000);
          closeCode = RawWebSocket.readCloseCode(stalled.getInputStream());
        }
      }
      long closed = metric(port, "chatcluster_slow_consumers_closed_total\\{[^}]*\\}");
      assertEquals(1, closed, "the stalled client was closed as a slow consumer");
      assertEquals(4029, closeCode, "the stalled client read the slow consumer's close code");
      assertTrue(maxHeap < 256L * 1024 * 1024, "heap under 256 MB: " + maxHeap);
      assertEquals(200, NodeProcess.status(port, "/health/ready"));
      System.out.printf("slow reader: closed (close code %d) while 50 MB were published; node heap peaked at %d MB%n",
          closeCode, maxHeap / (1024 * 1024));
      publisher.close();
    }
  }

  private record Phase(long p99, long max, int lost) {}

  /** Every chatter publishes 5 times a second for {@code seconds}; latency is publish to delivery. */
  private static Phase chat(List<WsClient> chatters, int seconds) throws Exception {
    for (WsClient c : chatters) {
      c.takeAll(f -> true, c.pending().size(), Duration.ofSeconds(1)); // what earlier phases left
    }
    int rounds = seconds * 5;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < chatters.size(); i++) {
        chatters.get(i).send(new JsonObject().put("type", "publish").put("channel", "room-" + (i % ROOMS))
            .put("data", new JsonObject().put("from", i).put("t", System.nanoTime())));
      }
      pause(Math.max(0, 200 - (System.nanoTime() - start) / 1_000_000));
    }
    List<Long> latencies = new ArrayList<>();
    int lost = 0;
    int expected = rounds * (CHATTERS / ROOMS);
    for (WsClient c : chatters) {
      List<JsonObject> got;
      try {
        got = c.takeAll(f -> "message".equals(f.getString("type")), expected, Duration.ofSeconds(20));
      } catch (AssertionError missing) {
        got = c.pending().stream().filter(f -> "message".equals(f.getString("type"))).toList();
        lost += expected - got.size();
      }
      for (JsonObject m : got) {
        latencies.add((c.receivedAt(m) - m.getJsonObject("data").getLong("t")) / 1_000_000);
      }
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    long p99 = sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
    return new Phase(p99, sorted.length == 0 ? -1 : sorted[sorted.length - 1], lost);
  }

  private static WsClient connectRetrying(Vertx vertx, int port, String from) {
    for (int attempt = 0; ; attempt++) {
      try {
        return WsClient.to(vertx, port).localAddress(from).open();
      } catch (AssertionError refused) {
        if (attempt > 100) {
          throw refused;
        }
        pause(100);
      }
    }
  }

  /** A gauge or counter from /metrics (the first series whose name and labels match). */
  private static long metric(int port, String series) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
    String text = new String(c.getInputStream().readAllBytes());
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.E+]+)$").matcher(text);
    long sum = 0;
    while (m.find()) {
      sum += (long) Double.parseDouble(m.group(1));
    }
    return sum;
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // pacing the chat
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
