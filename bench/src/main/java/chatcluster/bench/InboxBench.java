package chatcluster.bench;

import chatcluster.bench.side.ProcStats;
import chatcluster.bench.side.ServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inbox's cost, with it off and on: one node process (the jar) on a Redis of its own.
 * <ol>
 *   <li><b>sends</b>: --recipients connected users, --senders connections each keeping --window sends in
 *       flight to them, round robin, for --seconds: sends per second, node and Redis CPU per send
 *       (utime + stime from /proc), and the deliveries that arrived.</li>
 *   <li><b>idle</b> (inbox on only): --idle users that are not connected get --stored messages each;
 *       Redis memory per inbox (used_memory before and after); then --idle connections of those users
 *       read their inboxes and sit idle: node RSS per connection, against as many idle connections
 *       with the inbox off.</li>
 * </ol>
 * Bounded: every wait has a deadline; the processes are stopped at the end.
 *
 * <pre>java -cp bench/target/chatcluster-bench.jar chatcluster.bench.InboxBench [--node-jar node/target/chatcluster-node.jar]
 *     [--senders 10] [--window 50] [--recipients 100] [--seconds 10] [--idle 10000] [--stored 10]</pre>
 */
public final class InboxBench {
  private static final String TOKEN = "inbox-bench-token-0123456789abcdef";

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(FanoutBench.stringArg(args, "--node-jar", "node/target/chatcluster-node.jar"));
    int senders = FanoutBench.intArg(args, "--senders", 10);
    int window = FanoutBench.intArg(args, "--window", 50);
    int recipients = FanoutBench.intArg(args, "--recipients", 100);
    int seconds = FanoutBench.intArg(args, "--seconds", 10);
    int idle = FanoutBench.intArg(args, "--idle", 10000);
    int stored = FanoutBench.intArg(args, "--stored", 10);
    Map<String, Object> out = new HashMap<>();
    for (boolean inbox : new boolean[] {false, true}) {
      out.put(inbox ? "on" : "off", run(jar, inbox, senders, window, recipients, seconds, idle, stored));
    }
    System.out.println(new JsonObject(out).encodePrettily());
  }

  private static JsonObject run(Path jar, boolean inbox, int senders, int window, int recipients, int seconds,
                                int idle, int stored) throws Exception {
    Path dir = Files.createTempDirectory("inbox-bench");
    int redisPort = ServerProcess.freePort();
    int port = ServerProcess.freePort();
    ServerProcess redis = ServerProcess.startRedis("redis", dir, redisPort);
    Map<String, String> env = new HashMap<>(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", String.valueOf(port),
        "REDIS_URL", "redis://127.0.0.1:" + redisPort, "INBOX_ENABLED", String.valueOf(inbox),
        "WEBSOCKET_AUTH_TOKEN", TOKEN, "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "WEBSOCKET_RATE_LIMIT", "0",
        "WEBSOCKET_MAX_CLIENTS", "1000000", "WEBSOCKET_MAX_CONNECTIONS_PER_IP", "0"));
    env.put("WEBSOCKET_CONNECT_RATE_PER_IP", "0");
    ServerProcess node = ServerProcess.start("node", List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx512m", "-XX:G1PeriodicGCInterval=5000", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20",
        "-jar", jar.toAbsolutePath().toString()), dir, env, false);
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
    JsonObject result = new JsonObject().put("inbox", inbox);
    List<ClientWebSocket> open = new ArrayList<>();
    try {
      node.awaitPort(port, 60);
      AtomicLong delivered = new AtomicLong();
      for (int r = 0; r < recipients; r++) {
        open.add(connect(client, port, "rcpt-" + r, text -> {
          if (text.startsWith("{\"type\":\"direct\"")) {
            delivered.incrementAndGet();
          }
        }));
      }
      AtomicLong acked = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long cpu0 = ProcStats.cpuMicros(node.pid());
      long redisCpu0 = ProcStats.cpuMicros(redis.pid());
      long start = System.nanoTime();
      List<ClientWebSocket> senderSockets = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int self = s;
        ClientWebSocket[] ws = new ClientWebSocket[1];
        long[] next = {0};
        Runnable sendOne = () -> {
          long n = next[0]++;
          ws[0].writeTextMessage(new JsonObject().put("type", "send").put("id", n)
              .put("to", new JsonObject().put("user", "rcpt-" + ((self * 7919 + n) % recipients)))
              .put("data", new JsonObject().put("n", n).put("text", "a direct message of a typical size")).encode());
        };
        ws[0] = connect(client, port, "sender-" + s, text -> {
          if (text.startsWith("{\"type\":\"ack\"") || text.startsWith("{\"type\":\"error\"")) {
            (text.startsWith("{\"type\":\"ack\"") ? acked : failed).incrementAndGet();
            if (System.nanoTime() < deadline) {
              sendOne.run();
            }
          }
        });
        senderSockets.add(ws[0]);
        vertx.runOnContext(v -> {
          for (int i = 0; i < window; i++) {
            sendOne.run();
          }
        });
      }
      while (System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(1000); // the last answers
      double elapsed = (System.nanoTime() - start) / 1e9 - 1.0;
      long cpu = ProcStats.cpuMicros(node.pid()) - cpu0;
      long redisCpu = ProcStats.cpuMicros(redis.pid()) - redisCpu0;
      long sends = acked.get();
      result.put("sends", sends).put("errors", failed.get()).put("sendsPerSecond", Math.round(sends / elapsed))
          .put("nodeCpuMicrosPerSend", round(cpu / (double) Math.max(1, sends)))
          .put("redisCpuMicrosPerSend", round(redisCpu / (double) Math.max(1, sends)))
          .put("delivered", delivered.get());
      senderSockets.forEach(ClientWebSocket::close);
      open.forEach(ClientWebSocket::close);
      open.clear();
      Thread.sleep(1000);

      if (inbox) {
        long before = usedMemory(redisPort);
        ClientWebSocket filler = connect(client, port, "filler", t -> { });
        CountDownLatch acks = new CountDownLatch(idle * stored);
        filler.textMessageHandler(t -> acks.countDown());
        for (int u = 0; u < idle; u++) {
          for (int m = 0; m < stored; m++) {
            filler.writeTextMessage(new JsonObject().put("type", "send").put("id", u * stored + m)
                .put("to", new JsonObject().put("user", "idle-" + u)).put("data", "stored message " + m).encode());
          }
          if (u % 200 == 199) {
            Thread.sleep(5);
          }
        }
        if (!acks.await(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException(acks.getCount() + " stores unanswered");
        }
        filler.close();
        long after = usedMemory(redisPort);
        result.put("idleInboxes", idle).put("storedEach", stored)
            .put("redisBytesPerInbox", Math.round((after - before) / (double) idle));
      }
      // Idle connections (the idle users, reading their inboxes when it is on).
      long rss0 = ProcStats.rssBytes(node.pid());
      CountDownLatch read = new CountDownLatch(inbox ? idle * stored : 0);
      for (int u = 0; u < idle; u++) {
        open.add(connect(client, port, "idle-" + u, t -> {
          if (t.startsWith("{\"type\":\"direct\"")) {
            read.countDown();
          }
        }));
      }
      if (!read.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(read.getCount() + " stored messages not read");
      }
      Thread.sleep(5000); // as docs/benchmarks.md's idle step: read 5 s after the last connection
      long rss = ProcStats.rssBytes(node.pid());
      result.put("idleConnections", idle).put("nodeRssBytesPerIdleConnection", Math.round((rss - rss0) / (double) idle));
      return result;
    } finally {
      open.forEach(ClientWebSocket::close);
      vertx.close();
      node.stop();
      redis.stop();
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** One authenticated connection of {@code user}, welcomed. */
  private static ClientWebSocket connect(WebSocketClient client, int port, String user,
                                         io.vertx.core.Handler<String> frames) throws Exception {
    ClientWebSocket ws = client.webSocket();
    CountDownLatch welcome = new CountDownLatch(1);
    ws.textMessageHandler(text -> {
      if (welcome.getCount() > 0 && text.startsWith("{\"type\":\"welcome\"")) {
        welcome.countDown();
        return;
      }
      frames.handle(text);
    });
    Future<?> up = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws?user=" + user + "&device=" + user + "-d").addHeader("Authorization", "Bearer " + TOKEN));
    up.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    if (!welcome.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no welcome for " + user);
    }
    return ws;
  }

  /** Redis INFO memory's used_memory, after a moment for lazy frees. */
  private static long usedMemory(int port) throws Exception {
    Thread.sleep(500);
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream o = s.getOutputStream();
      o.write("INFO memory\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("used_memory:")) {
          return Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
    }
    throw new IllegalStateException("no used_memory in INFO");
  }
}
