package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The connection scenarios: what holding connections costs, and what opening them costs. */
public final class ConnectionScenarios {
  private final Target target;
  private final Generator gen;
  private final Settings s;
  private final String tag;

  public ConnectionScenarios(Target target, Generator gen, Settings settings, String tag) {
    this.target = target;
    this.gen = gen;
    this.s = settings;
    this.tag = tag;
  }

  /**
   * idle: subscribed connections to one channel, spread evenly over the processes, held idle, at
   * each level of {@code levels} (ascending: one pass, each level opening the connections it adds to
   * the previous one's). At each level, after {@code idleSeconds} idle, memory per connection is the
   * growth of the server processes' resident set ({@code VmRSS} summed over them; Redis apart) since
   * before the first connection, divided by the connections held; for a JVM also the growth of the
   * live heap after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}) divided by them.
   * Run on a freshly started target, first, so that the "before" is a server that has held nothing
   * yet. Returns the largest level's result with every level's in {@code curve}: the per-connection
   * figure falls with the count where fixed costs (a heap's first regions, buffer pools, code) are
   * shared out, and stays flat where the cost is truly per connection.
   */
  public JsonObject idle(List<Integer> levels) {
    target.checkAlive();
    String channel = tag + "-idle";
    long heap0 = target.liveHeapBytes();
    long rss0 = rss(target.serverPids());
    long redis0 = rss(target.redisPids());
    Tally tally = new Tally();
    List<Subscriber> subs = new ArrayList<>();
    JsonArray curve = new JsonArray();
    JsonObject o = new JsonObject();
    try {
      for (int n : levels.stream().distinct().sorted().toList()) {
        int from = subs.size();
        CpuSample cpu0 = CpuSample.take(target);
        subs.addAll(gen.openAll(n - from, 256, 300, i -> {
          Subscriber sub = new Subscriber(0, tally);
          return target.subscribe(gen, (from + i) % target.processCount(), channel, sub).map(v -> sub);
        }));
        CpuSample cpu1 = CpuSample.take(target);
        // Idle means idle: memory is read once every server's own housekeeping for an idle spell (a JVM's
        // periodic collection, V8's idle-time GC) has had its chance.
        ServerProcess.sleep(s.idleSeconds * 1000L);
        long rss1 = rss(target.serverPids());
        long redis1 = rss(target.redisPids());
        long heap1 = target.liveHeapBytes();
        target.checkAlive();
        o = new JsonObject().put("scenario", "idle").put("connections", n).put("idleSeconds", s.idleSeconds)
            .put("rssBeforeBytes", rss0).put("rssAfterBytes", rss1)
            .put("rssPerConnectionBytes", CpuSample.round((double) (rss1 - rss0) / n))
            .put("redisRssPerConnectionBytes", CpuSample.round((double) (redis1 - redis0) / n))
            .put("connectSeconds", CpuSample.round(cpu0.secondsTo(cpu1)))
            .put("cpu", cpu0.to(cpu1, n - from, "Connection", gen.loops()))
            .put("loadAverage", SideBySide.loadAverage());
        if (heap0 >= 0 && heap1 >= 0) {
          o.put("liveHeapPerConnectionBytes", CpuSample.round((double) (heap1 - heap0) / n))
              .put("liveHeapSource", "jcmd GC.run, then GC.heap_info used");
        }
        curve.add(o.copy());
        System.out.printf("  %-11s idle     %,d connections: RSS %,.0f B per connection%s (Redis %+,.0f B)%n",
            target.name(), n, o.getDouble("rssPerConnectionBytes"), o.containsKey("liveHeapPerConnectionBytes")
                ? String.format(", live heap %,.0f B", o.getDouble("liveHeapPerConnectionBytes")) : "",
            o.getDouble("redisRssPerConnectionBytes"));
      }
    } finally {
      subs.forEach(Subscriber::close);
      ServerProcess.sleep(2000);
    }
    return o.put("curve", curve);
  }

  /**
   * connect: {@code connects} handshakes, each a WebSocket connect plus a subscribe acknowledged
   * (for nchan the upgrade is the subscription), at most {@code connectWindow} under way at once,
   * spread over the processes; over ws or, when the target was started with TLS, wss. Three rounds
   * ({@code --connect-warmup-rounds}) of as many handshakes (opened, then closed) first warm the
   * server up, unmeasured: a JVM compiles its handshake path only after thousands of them, V8 and
   * nginx need no such time, so a measurement of the first few hundred would compare a compiler's
   * warm-up, not the steady cost (the JSON splits a JVM's CPU by thread: what its JIT compilers
   * still took is there). Reports
   * handshakes per second and server CPU µs per connection over the opening; the connections are
   * closed afterwards (not measured).
   */
  public JsonObject connect(boolean tls) {
    target.checkAlive();
    String channel = tag + (tls ? "-wss" : "-ws");
    Tally tally = new Tally();
    for (int round = 0; round < s.connectWarmupRounds; round++) {
      List<Subscriber> warm = gen.openAll(s.connects, s.connectWindow, 300, i -> {
        Subscriber sub = new Subscriber(0, tally);
        return target.subscribe(gen, i % target.processCount(), channel + "-warm", sub).map(v -> sub);
      });
      warm.forEach(Subscriber::close);
      ServerProcess.sleep(1500); // the closes are done before the next round, and before the measurement
    }
    java.util.Map<String, Long> threads0 = threadCpu(target.serverPids());
    CpuSample cpu0 = CpuSample.take(target);
    List<Subscriber> subs = gen.openAll(s.connects, s.connectWindow, 300, i -> {
      Subscriber sub = new Subscriber(0, tally);
      return target.subscribe(gen, i % target.processCount(), channel, sub).map(v -> sub);
    });
    CpuSample cpu1 = CpuSample.take(target);
    java.util.Map<String, Long> threads1 = threadCpu(target.serverPids());
    subs.forEach(Subscriber::close);
    ServerProcess.sleep(1500);
    double wall = cpu0.secondsTo(cpu1);
    JsonObject cpu = cpu0.to(cpu1, s.connects, "Connection", gen.loops());
    JsonObject o = new JsonObject().put("scenario", "connect").put("tls", tls).put("connections", s.connects)
        .put("window", s.connectWindow).put("seconds", CpuSample.round(wall))
        .put("handshakesPerSecond", CpuSample.round(s.connects / wall)).put("cpu", cpu)
        .put("cpuMicrosPerConnection", cpu.getDouble("totalMicrosPerConnection"))
        .put("generatorBottleneck", cpu.getBoolean("generatorSaturated"));
    // Where a JVM's share went: its compiler threads (a JVM still compiling the handshake path), its
    // collector, its event loops. Node.js and nginx have no such threads: everything is "other".
    JsonObject byThread = new JsonObject();
    StringBuilder split = new StringBuilder();
    for (String kind : List.of("eventLoops", "acceptor", "jit", "gc", "other")) {
      double perConnection = CpuSample.round((double) (threads1.getOrDefault(kind, 0L) - threads0.getOrDefault(kind, 0L))
          / s.connects);
      byThread.put(kind, perConnection);
      if (perConnection != 0) {
        split.append(split.length() == 0 ? " (" : ", ").append(kind).append(' ').append(Math.round(perConnection));
      }
    }
    o.put("serverMicrosPerConnectionByThread", byThread);
    System.out.printf("  %-11s connect  %s: %,.0f handshakes/s, %,.0f us server CPU per connection%s%s%n",
        target.name(), tls ? "wss" : "ws ", s.connects / wall, cpu.getDouble("serverMicrosPerConnection"),
        split.length() == 0 ? "" : split + ")",
        o.getBoolean("generatorBottleneck") ? "  [generator was the bottleneck]" : "");
    return o;
  }

  private static java.util.Map<String, Long> threadCpu(List<Long> pids) {
    java.util.Map<String, Long> byKind = new java.util.HashMap<>();
    for (long pid : pids) {
      ProcStats.addThreadCpuMicros(pid, byKind);
    }
    return byKind;
  }

  private static long rss(List<Long> pids) {
    long total = 0;
    for (long pid : pids) {
      total += ProcStats.rssBytes(pid);
    }
    return total;
  }
}
