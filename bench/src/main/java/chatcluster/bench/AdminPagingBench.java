package chatcluster.bench;

import chatcluster.node.ChatNode;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long a page of the admin API's channel list takes: --nodes nodes in this JVM (on --redis, or one
 * node alone without it), --channels channels with subscribers (each on node 0 and on node i % nodes),
 * then --rounds walks through every page of --limit channels from a node other than 0. Prints the
 * page times (median, p90, max). Bounded: gives up after --timeout seconds.
 *
 * <pre>java -cp bench/target/chatcluster-bench.jar chatcluster.bench.AdminPagingBench [--channels 5000]
 *     [--limit 100] [--rounds 5] [--nodes 3 --redis redis://127.0.0.1:6379] [--timeout 120]</pre>
 */
public final class AdminPagingBench {
  private static final String TOKEN = "admin-paging-bench-token";

  public static void main(String[] args) throws Exception {
    int channels = FanoutBench.intArg(args, "--channels", 5000);
    int limit = FanoutBench.intArg(args, "--limit", 100);
    int rounds = FanoutBench.intArg(args, "--rounds", 5);
    String redis = FanoutBench.stringArg(args, "--redis", null);
    int nodeCount = FanoutBench.intArg(args, "--nodes", redis == null ? 1 : 3);
    int timeout = FanoutBench.intArg(args, "--timeout", 120);
    if (nodeCount > 1 && redis == null) {
      throw new IllegalArgumentException("--nodes above 1 needs --redis");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
    String prefix = "paging-" + System.nanoTime() + ":";
    List<ChatNode> nodes = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (int i = 0; i < nodeCount; i++) {
        NodeConfig.Builder config = NodeConfig.builder().set(ConfigOption.HOST, "127.0.0.1").set(ConfigOption.PORT, 0)
            .set(ConfigOption.ADMIN_TOKEN, TOKEN).set(ConfigOption.RATE_LIMIT, 0).set(ConfigOption.NODE_ID, "page-" + i)
            .set(ConfigOption.MAX_SUBSCRIPTIONS, channels);
        if (redis != null) {
          config.set(ConfigOption.REDIS_URL, redis).set(ConfigOption.REDIS_PREFIX, prefix);
        }
        ChatNode node = ChatNode.builder().config(config.build()).build();
        node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        nodes.add(node);
      }
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(16));
      List<List<String>> perNode = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        perNode.add(new ArrayList<>());
      }
      for (int c = 0; c < channels; c++) {
        String name = String.format("bench-%05d", c);
        perNode.get(0).add(name);
        if (c % nodeCount != 0) {
          perNode.get(c % nodeCount).add(name);
        }
      }
      System.out.printf("subscribing %d channels on %d node(s) ...%n", channels, nodeCount);
      List<ClientWebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        sockets.add(subscribe(client, nodes.get(i).port(), perNode.get(i), deadline));
      }
      int asked = nodeCount > 1 ? 1 : 0;
      HttpClient http = HttpClient.newHttpClient();
      List<Double> times = new ArrayList<>();
      int pages = 0;
      int firstRound = 0;
      for (int round = 0; round < rounds; round++) {
        String cursor = null;
        int seen = 0;
        do {
          String url = "http://127.0.0.1:" + nodes.get(asked).port() + "/admin/api/channels?prefix=bench-&limit=" + limit
              + (cursor == null ? "" : "&cursor=" + cursor);
          long start = System.nanoTime();
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
              .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
          times.add((System.nanoTime() - start) / 1e6);
          if (r.statusCode() != 200) {
            throw new IllegalStateException("page answered " + r.statusCode() + ": " + r.body());
          }
          JsonObject page = new JsonObject(r.body());
          seen += page.getJsonArray("channels").size();
          cursor = page.getString("next");
          pages++;
        } while (cursor != null && System.nanoTime() < deadline);
        if (round == 0) {
          firstRound = times.size();
        }
        if (seen != channels) {
          throw new IllegalStateException("round " + round + " listed " + seen + " of " + channels + " channels");
        }
      }
      report("all rounds", times, limit, channels, nodeCount, redis);
      if (rounds > 1) {
        report("after the first round (warm)", times.subList(firstRound, times.size()), limit, channels, nodeCount, redis);
      }
      sockets.forEach(ClientWebSocket::close);
    } finally {
      for (ChatNode node : nodes) {
        node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      vertx.close();
    }
  }

  private static void report(String what, List<Double> times, int limit, int channels, int nodes, String redis) {
    double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("%s: %d pages of %d over %d channels on %d node(s)%s: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
        what, sorted.length, limit, channels, nodes, redis == null ? " (alone)" : " (Redis)", sorted[sorted.length / 2],
        sorted[(int) (sorted.length * 0.9)], sorted[sorted.length - 1]);
  }

  /** One connection subscribed to every channel of {@code names}, acks awaited. */
  private static ClientWebSocket subscribe(WebSocketClient client, int port, List<String> names, long deadline)
      throws Exception {
    ClientWebSocket ws = client.webSocket();
    CountDownLatch acks = new CountDownLatch(names.size());
    CountDownLatch welcome = new CountDownLatch(1);
    ws.textMessageHandler(text -> {
      if (text.startsWith("{\"type\":\"welcome\"")) {
        welcome.countDown();
      } else if (text.startsWith("{\"type\":\"ack\"")) {
        acks.countDown();
      }
    });
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    welcome.await(10, TimeUnit.SECONDS);
    for (int i = 0; i < names.size(); i++) {
      ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("id", i).put("channel", names.get(i)).encode());
    }
    if (!acks.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(acks.getCount() + " subscribes unanswered");
    }
    return ws;
  }

}
