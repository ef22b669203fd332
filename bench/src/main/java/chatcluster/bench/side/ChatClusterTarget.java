package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ChatCluster as users run it: a redis-server and {@code nodes} processes of
 * {@code java -jar chatcluster-node.jar}, configured by environment (docs/configuration.md's table) with what would
 * throttle a benchmark from one address switched off: frame rate limit, connection caps (per node and
 * per address), connect rate, the subscription cap per connection; a 16 MiB send queue; a 1 s drain.
 * Clients speak the contract's frames: after the {@code welcome}, {@code subscribe} and
 * {@code publish} with ids, answered by {@code ack} in order.
 */
public final class ChatClusterTarget extends Target {
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private final Path nodeJar;
  private final int nodes;
  private final int eventLoops;
  private final String heap;
  private final List<Integer> ports = new ArrayList<>();
  private final boolean tcpNoDelay;
  /** Whether subscribers ask for several frames per WebSocket message ({@code ?batch=1}). */
  private final boolean batch;
  /** The nodes' writeDelay in ms (batched connections only). */
  private final int writeDelay;
  private boolean tls;
  /** Channels declared persistent in a config file of the run (a prefix and the history kept), or null. */
  private String persistentPrefix;
  private int historySize;
  /** JVM options given to every node before {@code -jar} ({@code --node-java-opts}). */
  private List<String> javaOptions = List.of();

  public ChatClusterTarget(Path nodeJar, int nodes, int eventLoops, String heap, boolean tcpNoDelay) {
    this(nodeJar, nodes, eventLoops, heap, tcpNoDelay, false, 0);
  }

  /** Subscribers that take several frames per message with {@code batch}, the nodes holding them up to {@code writeDelay} ms. */
  public ChatClusterTarget(Path nodeJar, int nodes, int eventLoops, String heap, boolean tcpNoDelay, boolean batch,
                           int writeDelay) {
    this.batch = batch;
    this.writeDelay = writeDelay;
    this.tcpNoDelay = tcpNoDelay;
    this.nodeJar = nodeJar;
    this.nodes = nodes;
    this.eventLoops = eventLoops;
    this.heap = heap;
  }

  @Override
  public String name() {
    String name = tcpNoDelay ? "chatcluster" : "chatcluster-nagle";
    if (batch) {
      name += "-v2";
    }
    return writeDelay > 0 ? name + "-delay" + writeDelay : name;
  }

  @Override
  public void start(Path dir, Tls tls) throws Exception {
    if (!Files.isRegularFile(nodeJar)) {
      throw new IllegalStateException("node jar not built: " + nodeJar + " (run mvn -q -B -DskipTests package)");
    }
    this.tls = tls != null;
    ports.clear();
    int redisPort = ServerProcess.freePort();
    processes.add(ServerProcess.startRedis("chatcluster-redis", dir, redisPort));
    for (int i = 0; i < nodes; i++) {
      int port = ServerProcess.freePort();
      Map<String, String> env = new HashMap<>();
      env.put("WEBSOCKET_HOST", "127.0.0.1");
      env.put("WEBSOCKET_PORT", String.valueOf(port));
      env.put("WEBSOCKET_EVENT_LOOPS", String.valueOf(eventLoops));
      env.put("WEBSOCKET_TCP_NODELAY", String.valueOf(tcpNoDelay));
      env.put("WEBSOCKET_WRITE_DELAY", String.valueOf(writeDelay));
      env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
      env.put("NODE_ID", "bench-" + i);
      env.put("WEBSOCKET_MAX_CLIENTS", "1000000");
      env.put("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "0");
      env.put("WEBSOCKET_CONNECT_RATE_PER_IP", "0");
      env.put("WEBSOCKET_RATE_LIMIT", "0");
      env.put("WEBSOCKET_CHANNEL_PUBLISH_RATE", "0");
      env.put("WEBSOCKET_MAX_SUBSCRIPTIONS", "100000");
      env.put("WEBSOCKET_SEND_QUEUE_MAX", String.valueOf(16 << 20));
      env.put("WEBSOCKET_DRAIN_TIMEOUT", "1");
      if (tls != null) {
        env.put("WEBSOCKET_SSL_CERT_PATH", tls.cert().toString());
        env.put("WEBSOCKET_SSL_KEY_PATH", tls.key().toString());
      }
      List<String> command = new ArrayList<>(
          // Nothing but the heap's size, as a user runs it: the node's main gives G1 the idle-memory
          // settings of docs/operations.md itself ("Memory").
          List.of(javaBinary(), "-Xmx" + heap));
      for (String option : javaOptions) {
        // %n: the node's number, so that each node writes files of its own (a flight recording).
        command.add(option.replace("%n", String.valueOf(i)));
      }
      command.addAll(List.of("-jar", nodeJar.toAbsolutePath().toString()));
      if (persistentPrefix != null) {
        command.addAll(List.of("--config", channelsConfig(dir).toString()));
      }
      ServerProcess node = ServerProcess.start("chatcluster-node" + i, command, dir, env, false);
      processes.add(node);
      node.awaitPort(port, 60);
      if (tls == null) {
        awaitReady(node, port, 60);
      }
      ports.add(port);
    }
  }

  /** JVM options for every node, before {@code -jar}; {@code %n} in one is replaced by the node's number. */
  public void javaOptions(List<String> options) {
    this.javaOptions = List.copyOf(options);
  }

  /** The channel declarations of a recoverable target, as in docs/configuration.md ("Channels"). */
  private Path channelsConfig(Path dir) throws IOException {
    Path file = dir.resolve("channels.yaml");
    Files.writeString(file, "channels:\n  - name: \"" + persistentPrefix + "*\"\n    persistent: true\n"
        + "    historySize: " + historySize + "\n");
    return file;
  }

  @Override
  public Target recoverable(int processes, String channelPrefix, int history) {
    ChatClusterTarget t = new ChatClusterTarget(nodeJar, processes, eventLoops, heap, tcpNoDelay);
    t.persistentPrefix = channelPrefix;
    t.javaOptions = javaOptions;
    t.historySize = history;
    return t;
  }

  @Override
  public Target withProcesses(int processes) {
    return new ChatClusterTarget(nodeJar, processes, eventLoops, heap, tcpNoDelay, batch, writeDelay);
  }

  /**
   * The nodes' {@code jvm_gc_pause_seconds_sum} (every collector, action and cause) from
   * {@code GET /metrics}, summed; -1 over TLS or when a node does not answer.
   */
  @Override
  public double gcPauseSeconds() {
    if (tls) {
      return -1;
    }
    double total = 0;
    for (int port : ports) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
            .openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        if (c.getResponseCode() != 200) {
          return -1;
        }
        for (String line : new String(c.getInputStream().readAllBytes()).split("\n")) {
          if (line.startsWith("jvm_gc_pause_seconds_sum")) {
            total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
    return total;
  }

  /**
   * welcome, then {@code subscribe} with {@code since: {offset, epoch}} of the last message the
   * client got (none the first time); the ack's {@code recovered} and {@code offset} say whether and up
   * to where missed messages follow; every message frame ends with its channel offset.
   */
  @Override
  public Future<Void> connectRecovering(Generator gen, int process, StormClient c) {
    Promise<Void> acked = Promise.promise();
    return WsConnect.open(gen, c.context(), tls, ports.get(process), "/ws", (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        c.onMessage(frame, at, trailingNumber(frame));
        return;
      }
      String text = frame.toString();
      if (text.contains("\"type\":\"welcome\"")) {
        c.welcomed();
        JsonObject sub = new JsonObject().put("type", "subscribe").put("channel", c.channel()).put("id", 1);
        if (c.session != null && c.offset >= 0) {
          sub.put("since", new JsonObject().put("offset", c.offset).put("epoch", c.session));
        }
        ws.writeTextMessage(sub.encode());
      } else if (text.contains("\"type\":\"ack\"")) {
        JsonObject result = new JsonObject(text).getJsonObject("result");
        boolean recovered = result.getBoolean("recovered", false);
        if (c.session == null || !recovered) {
          c.session = result.getString("epoch");
        }
        c.subscribed(recovered, result.getLong("offset", -1L));
        if (c.offset < 0) {
          c.offset = result.getLong("offset", 0L); // where to resume from if no message comes before the end
        }
        acked.tryComplete();
      } else if (text.contains("\"type\":\"reset\"")) {
        JsonObject r = new JsonObject(text);
        c.session = r.getString("epoch");
        c.reset(r.getLong("offset"));
      } else if (text.contains("\"type\":\"error\"")) {
        acked.tryFail("subscribe refused: " + text);
      }
    }, closed -> {
      if (!acked.tryFail("closed before the subscribe was acknowledged")) {
        c.closed();
      }
    }).compose(ws -> {
      c.socket(ws);
      return acked.future();
    });
  }

  /** The number a message frame ends with ({@code …,"offset":N}}), or -1. */
  private static long trailingNumber(Buffer frame) {
    int end = frame.length() - 1;
    int i = end - 1;
    while (i >= 0 && frame.getByte(i) >= '0' && frame.getByte(i) <= '9') {
      i--;
    }
    if (i == end - 1) {
      return -1;
    }
    return Long.parseLong(frame.getString(i + 1, end));
  }

  @Override
  public int processCount() {
    return ports.size();
  }

  @Override
  public Future<Void> subscribe(Generator gen, int process, String channel, Subscriber sub) {
    Promise<Void> acked = Promise.promise();
    return WsConnect.open(gen, null, tls, ports.get(process), batch ? "/ws?batch=1" : "/ws", (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        sub.onPayload(frame, at);
        // A batched message: more payloads may follow, one per line.
        while (batch && (at = Payload.find(frame, at + 3)) >= 0) {
          sub.onPayload(frame, at);
        }
      } else if (!acked.future().isComplete()) {
        String text = frame.toString();
        if (text.contains("\"type\":\"welcome\"")) {
          ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("channel", channel).put("id", 1).encode());
        } else if (text.contains("\"type\":\"ack\"")) {
          acked.complete();
        } else if (text.contains("\"type\":\"error\"")) {
          acked.fail("subscribe refused: " + text);
        }
      }
    }, closed -> acked.tryFail("closed before the subscribe was acknowledged")).compose(ws -> {
      sub.socket(ws);
      return acked.future();
    });
  }

  @Override
  public Future<Publisher> publisher(Generator gen, int process, List<String> channels, Tally tally) {
    Context ctx = gen.vertx().getOrCreateContext();
    ArrayDeque<Handler<Boolean>> pending = new ArrayDeque<>();
    Promise<Void> welcomed = Promise.promise();
    String[] refusal = {null};
    java.util.function.BiConsumer<ClientWebSocket, Buffer> frames = (socket, frame) -> {
      if (!welcomed.future().isComplete()) {
        if (frame.toString().contains("\"type\":\"welcome\"")) {
          welcomed.complete();
        }
      } else if (Payload.find(frame) >= 0) {
        tally.delivered.increment(); // the contract delivers a publish to its sender too
        tally.echoes.increment();
      } else if (WsConnect.startsWith(frame, "{\"type\":\"ack\"") || frame.toString().contains("\"type\":\"ack\"")) {
        Handler<Boolean> h = pending.poll();
        if (h != null) {
          h.handle(true);
        }
      } else if (frame.toString().contains("\"type\":\"error\"")) {
        refusal[0] = frame.toString();
        Handler<Boolean> h = pending.poll();
        if (h != null) {
          h.handle(false);
        }
      }
    };
    return WsConnect.open(gen, ctx, tls, ports.get(process), "/ws", frames, closed -> {
      Handler<Boolean> h;
      while ((h = pending.poll()) != null) {
        h.handle(false);
      }
    }).compose(ws -> welcomed.future().map(ws)).compose(ws -> {
      Promise<Publisher> ready = Promise.promise();
      ctx.runOnContext(v -> {
        int[] left = {channels.size()};
        for (int i = 0; i < channels.size(); i++) {
          pending.add(ok -> {
            if (!ok) {
              ready.tryFail("publisher's subscribe refused: " + refusal[0]);
            } else if (--left[0] == 0) {
              ready.tryComplete(new FramedPublisher(ws, ctx, pending, 1_000_000,
                  // {"type":"publish","channel":…,"data":…,"id":n}; acks come back in order
                  (channel, payload, id) -> "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":\""
                      + payload + "\",\"id\":" + id + "}"));
            }
          });
          ws.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"" + channels.get(i) + "\",\"id\":" + i + "}");
        }
      });
      return ready.future();
    });
  }

  /** Live heap over the nodes after a full GC: {@code jcmd PID GC.run}, then GC.heap_info's "used". */
  @Override
  public long liveHeapBytes() {
    long total = 0;
    for (long pid : serverPids()) {
      jcmd(pid, "GC.run");
      Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
      if (!m.find()) {
        return -1;
      }
      total += Long.parseLong(m.group(1)) * 1024;
    }
    return total;
  }

  private static String jcmd(long pid, String command) {
    try {
      Process p = new ProcessBuilder(ServerProcess.require("jcmd", "a JDK's jcmd"), String.valueOf(pid), command)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("jcmd failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String javaBinary() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  private static void awaitReady(ServerProcess node, int port, int timeoutSeconds) {
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
      if (!node.isAlive()) {
        throw new IllegalStateException(node.name() + " exited: " + node.tail());
      }
      ServerProcess.sleep(100);
    }
    throw new IllegalStateException(node.name() + " not ready within " + timeoutSeconds + " s: " + node.tail());
  }
}
