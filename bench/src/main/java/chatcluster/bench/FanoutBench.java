package chatcluster.bench;

import chatcluster.node.ChatNode;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fan-out benchmark: one node (embedded in this JVM, or any node by --port), N real WebSocket
 * subscribers on one channel, one publisher sending M messages of a given size with at most
 * --window (10) publishes unacknowledged. Reports deliveries per second, publish-to-delivery latency percentiles
 * and (embedded) heap per connection. Bounded: gives up after --timeout seconds.
 *
 * <pre>java -jar bench/target/chatcluster-bench.jar [--subscribers 1000] [--messages 2000] [--size 100]
 *     [--window 10] [--port P] [--redis redis://...] [--timeout 120]</pre>
 */
public final class FanoutBench {
  public static void main(String[] args) throws Exception {
    if (java.util.List.of(args).contains("--version")) {
      System.out.println(chatcluster.cluster.BuildInfo.versionLine("chatcluster-bench"));
      return;
    }
    int subscribers = intArg(args, "--subscribers", 1000);
    int messages = intArg(args, "--messages", 2000);
    int size = intArg(args, "--size", 100);
    int timeout = intArg(args, "--timeout", 120);
    int port = intArg(args, "--port", -1);
    String redis = stringArg(args, "--redis", null);
    int window = intArg(args, "--window", 10);

    ChatNode node = null;
    if (port < 0) {
      NodeConfig.Builder config = NodeConfig.builder().set(ConfigOption.HOST, "127.0.0.1").set(ConfigOption.PORT, 0)
          .set(ConfigOption.MAX_CLIENTS, subscribers + 10).set(ConfigOption.RATE_LIMIT, 0);
      if (redis != null) {
        config.set(ConfigOption.REDIS_URL, redis);
      }
      node = ChatNode.builder().config(config.build()).build();
      node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      port = node.port();
    }
    long heapBefore = usedHeap();
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 10)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    long total = (long) subscribers * messages;
    LongAdder delivered = new LongAdder();
    CountDownLatch done = new CountDownLatch(1);
    long[] latencies = new long[messages * Math.min(subscribers, 50)];
    AtomicLong latencyCount = new AtomicLong();

    System.out.printf("connecting %d subscribers to 127.0.0.1:%d ...%n", subscribers, port);
    List<ClientWebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      boolean sampled = i < 50;
      ClientWebSocket ws = client.webSocket();
      CountDownLatch subscribed = new CountDownLatch(1);
      ws.textMessageHandler(text -> {
        if (text.startsWith("{\"type\":\"message\"")) {
          if (sampled) {
            long sent = new JsonObject(text).getJsonObject("data").getLong("t");
            long slot = latencyCount.getAndIncrement();
            if (slot < latencies.length) {
              latencies[(int) slot] = System.nanoTime() - sent;
            }
          }
          delivered.increment();
          if (delivered.sum() == total) {
            done.countDown();
          }
        } else if (text.contains("\"type\":\"ack\"")) {
          subscribed.countDown();
        }
      });
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      ws.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"bench\",\"id\":1}");
      if (!subscribed.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("subscriber " + i + " got no ack");
      }
      sockets.add(ws);
    }
    long heapAfter = usedHeap();

    ClientWebSocket publisher = client.webSocket();
    AtomicLong acked = new AtomicLong();
    publisher.textMessageHandler(text -> {
      if (text.contains("\"type\":\"ack\"")) {
        acked.incrementAndGet();
      }
    });
    publisher.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    publisher.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"bench-pub\",\"id\":0}");
    String padding = "x".repeat(Math.max(0, size - 40));
    // The publisher must be subscribed to publish: it joins the channel but its own copies are not counted.
    publisher.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"bench\",\"id\":-1}");
    Thread.sleep(200); // let both subscriptions settle before timing starts

    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeout);
    for (int m = 0; m < messages && System.nanoTime() < deadline; m++) {
      while (m - (acked.get() - 2) >= window && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      JsonObject data = new JsonObject().put("t", System.nanoTime()).put("p", padding);
      publisher.writeTextMessage(new JsonObject().put("type", "publish").put("channel", "bench")
          .put("data", data).put("id", m + 1).encode());
    }
    boolean complete = done.await(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;

    long n = Math.min(latencyCount.get(), latencies.length);
    long[] sample = Arrays.copyOf(latencies, (int) n);
    Arrays.sort(sample);
    System.out.printf("subscribers %d, messages %d of ~%d bytes: %d of %d deliveries in %.2f s%s%n", subscribers,
        messages, size, delivered.sum(), total, seconds, complete ? "" : " (timed out)");
    System.out.printf("throughput: %.0f deliveries/s, %.0f messages/s published%n", delivered.sum() / seconds,
        messages / seconds);
    if (n > 0) {
      System.out.printf("latency publish->delivery (first 50 subscribers): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          sample[(int) (n * 0.50)] / 1e6, sample[(int) Math.min(n - 1, n * 0.99)] / 1e6, sample[(int) n - 1] / 1e6);
    }
    if (node != null) {
      System.out.printf("heap for %d connections (node and clients in one JVM): %.1f KiB per connection%n",
          subscribers, Math.max(0, heapAfter - heapBefore) / 1024.0 / subscribers);
      System.out.printf("node metrics: %d frames encoded, %d frames delivered%n", node.metrics().framesEncoded.sum(),
          node.metrics().framesDelivered.sum());
    }
    sockets.forEach(ClientWebSocket::close);
    publisher.close();
    Future.all(client.close(), vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (node != null) {
      node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.exit(complete ? 0 : 1);
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  static int intArg(String[] args, String name, int dflt) {
    String v = stringArg(args, name, null);
    return v == null ? dflt : Integer.parseInt(v);
  }

  static String stringArg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }
}
