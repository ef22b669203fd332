package chatcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Event-loop scaling: runs the node jar as its own process with 1 and then 2 event loops (or the
 * counts given), connects N subscribers to one channel from this process, and publishes as fast as a
 * window of unacknowledged publishes allows. After a warm-up it measures, for each node: deliveries
 * per second, the node process's CPU time per delivered message (user + system, from /proc) and the
 * cores it used (CPU time over wall time). Bounded: each phase has a fixed length.
 *
 * <pre>java -cp bench/target/chatcluster-bench.jar chatcluster.bench.LoopsBench [--loops 1,2]
 *     [--subscribers 500] [--size 100] [--window 64] [--warmup 5] [--seconds 10]
 *     [--node-jar node/target/chatcluster-node.jar]</pre>
 */
public final class LoopsBench {
  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

  public static void main(String[] args) throws Exception {
    String[] loops = FanoutBench.stringArg(args, "--loops", "1,2").split(",");
    int subscribers = FanoutBench.intArg(args, "--subscribers", 500);
    int size = FanoutBench.intArg(args, "--size", 100);
    int window = FanoutBench.intArg(args, "--window", 64);
    int warmup = FanoutBench.intArg(args, "--warmup", 5);
    int seconds = FanoutBench.intArg(args, "--seconds", 10);
    Path jar = Path.of(FanoutBench.stringArg(args, "--node-jar", "node/target/chatcluster-node.jar"));
    System.out.printf("machine: %d cores, load average before: %s%n", Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim());
    System.out.println("| event loops | deliveries/s | node CPU us per delivery | node cores used |");
    System.out.println("| --- | --- | --- | --- |");
    for (String n : loops) {
      Result r = run(jar, Integer.parseInt(n.trim()), subscribers, size, window, warmup, seconds);
      System.out.printf("| %s | %,.0f | %.2f | %.2f |%n", n.trim(), r.perSecond, r.cpuMicrosPerDelivery, r.cores);
    }
    System.out.printf("load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    System.exit(0);
  }

  record Result(double perSecond, double cpuMicrosPerDelivery, double cores) {}

  static Result run(Path jar, int loops, int subscribers, int size, int window, int warmup, int seconds)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder("java", "-Xms512m", "-Xmx512m", "-jar", jar.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(java.util.Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", String.valueOf(port),
        "WEBSOCKET_EVENT_LOOPS", String.valueOf(loops), "WEBSOCKET_RATE_LIMIT", "0",
        "WEBSOCKET_MAX_CLIENTS", String.valueOf(subscribers + 10), "WEBSOCKET_SEND_QUEUE_MAX", "16777216"));
    Process node = pb.start();
    Vertx vertx = Vertx.vertx();
    try {
      awaitReady(port, 60);
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxConnections(subscribers + 10).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
      LongAdder delivered = new LongAdder();
      List<ClientWebSocket> subs = new ArrayList<>();
      for (int i = 0; i < subscribers; i++) {
        ClientWebSocket ws = client.webSocket();
        ws.frameHandler(f -> delivered.increment()); // counted, not decoded: the node's cost is measured
        await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")));
        ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("channel", "bench").encode());
        subs.add(ws);
      }
      ClientWebSocket publisher = client.webSocket();
      AtomicInteger inFlight = new AtomicInteger();
      String data = "x".repeat(size);
      String frame = new JsonObject().put("type", "publish").put("channel", "bench").put("data", data).put("id", 1)
          .encode();
      boolean[] running = {true};
      publisher.textMessageHandler(text -> {
        if (text.startsWith("{\"type\":\"ack\"") && running[0]) {
          publisher.writeTextMessage(frame); // keep the window full
        }
      });
      await(publisher.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")));
      await(publisher.writeTextMessage(new JsonObject().put("type", "subscribe").put("channel", "bench").put("id", 0)
          .encode()));
      Thread.sleep(500); // subscriptions settle (bounded)
      for (int i = 0; i < window; i++) {
        inFlight.incrementAndGet();
        publisher.writeTextMessage(frame);
      }
      Thread.sleep(warmup * 1000L);
      long cpu0 = cpuTicks(node.pid());
      long n0 = delivered.sum();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long cpu1 = cpuTicks(node.pid());
      long n1 = delivered.sum();
      long t1 = System.nanoTime();
      running[0] = false;
      double wall = (t1 - t0) / 1e9;
      double cpuSeconds = (cpu1 - cpu0) / (double) CLOCK_TICKS_PER_SECOND;
      long count = n1 - n0;
      subs.forEach(ws -> ws.close());
      return new Result(count / wall, cpuSeconds * 1e6 / Math.max(1, count), cpuSeconds / wall);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      node.destroy();
      if (!node.waitFor(15, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static void awaitReady(int port, int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health/ready").toURL()
            .openConnection();
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node on port " + port + " not ready within " + timeoutSeconds + " s");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
