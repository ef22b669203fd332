package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * The message scenarios: subscribers connected and subscribed first, then one publisher (a client
 * of the target, as users publish) at a fixed rate, a warm-up, a fixed measured window, and a drain.
 * Each step reports deliveries per second, publish-to-delivery latency (payload timestamp against the
 * receive time, both {@code System.nanoTime()} in this JVM) for payloads received in the window, CPU
 * of the server, its Redis and the generator over the window (µs per delivery), and after the drain
 * the payloads lost (published but not received, per subscriber and publisher) and duplicated.
 */
public final class FanoutScenarios {
  private static final AtomicInteger PUBLISHERS = new AtomicInteger();
  private final Target target;
  private final Generator gen;
  private final Settings s;
  private final String tag;

  /** {@code tag} makes channel names unique to a run (nchan keeps messages in Redis between runs). */
  public FanoutScenarios(Target target, Generator gen, Settings settings, String tag) {
    this.target = target;
    this.gen = gen;
    this.s = settings;
    this.tag = tag;
  }

  /**
   * fanout: {@code subscribers} on one channel, spread evenly over the target's processes; one
   * publisher on the first process at each rate of {@code rates} msg/s, then the saturation mode
   * ("max": at most {@code maxWindow} publishes not yet delivered to every subscriber) when
   * {@code withMax}. One result per rate.
   */
  public JsonArray fanout(boolean withRates, boolean withMax) {
    String channel = tag + "-fan";
    List<Subscriber> subs = connect(target, s.subscribers, i -> 0, i -> i % target.processCount(), List.of(channel));
    JsonArray out = new JsonArray();
    try {
      if (withRates) {
        for (int rate : s.rates) {
          out.add(step("fanout", target, subs, List.of(channel), 0, 1, rate, 100_000).put("rate", rate));
        }
      }
      if (withMax) {
        out.add(step("max", target, subs, List.of(channel), 0, 1, 0, s.maxWindow).put("rate", "max"));
      }
    } finally {
      close(subs);
    }
    return out;
  }

  /**
   * xnode: publisher on the first process, {@code xnodeSubscribers} subscribers all on the second, at
   * {@code xnodeRate} msg/s: every message crosses Redis between processes. Where the target has one
   * entry point (nginx), the kernel spreads connections over its workers and the result says so.
   */
  public JsonObject xnode() {
    String channel = tag + "-x";
    int subProcess = Math.min(1, target.processCount() - 1);
    List<Subscriber> subs = connect(target, s.xnodeSubscribers, i -> 0, i -> subProcess, List.of(channel));
    try {
      return step("xnode", target, subs, List.of(channel), 0, 1, s.xnodeRate, 100_000).put("rate", s.xnodeRate)
          .put("crossProcess", target.separateProcesses() && target.processCount() > 1);
    } finally {
      close(subs);
    }
  }

  /**
   * channels: {@code channels} channels with {@code subscribersPerChannel} subscribers each, at
   * {@code channelsRate} msg/s from {@code channelsPublishers} publishers (one by default; see
   * {@link #channels(String, int, int, int, int)}).
   */
  public JsonObject channels() {
    return channels("channels", s.channels, s.subscribersPerChannel, s.channelsPublishers, s.channelsRate);
  }

  /**
   * rooms: the channels scenario with many small channels, as a chat application with many rooms
   * has: {@code roomsChannels} × {@code roomsPerChannel} subscribers at {@code roomsRate} msg/s (by
   * default 10,000 × 3 at 2,000 msg/s from 10 publishers, each channel getting a message every 5 s,
   * as from many users rather than through one connection). What grows here is
   * the per-message cost (one Redis publish and one channel lookup per message, few deliveries each),
   * so the result adds CPU per message, for the server and its Redis apart.
   */
  public JsonObject rooms() {
    return channels("rooms", s.roomsChannels, s.roomsPerChannel, s.roomsPublishers, s.roomsRate);
  }

  /**
   * {@code count} channels with {@code per} subscribers each (placed round-robin on the processes,
   * so a channel's subscribers sit on different ones); {@code rate} msg/s spread round-robin over the
   * channels, by one publisher on the first process or by {@code publishers} placed round-robin on the
   * processes, each with its share of the channels. The generator holds one connection, one
   * open file, per subscriber: where its open-files limit is lower than {@code count × per} + 2,000,
   * fewer channels are run at the same rate and the result says so ({@code channelsAsked}).
   */
  private JsonObject channels(String scenario, int count, int per, int publishers, int rate) {
    long room = ProcStats.openFilesLimit() - 2000;
    int run = (int) Math.max(1, Math.min(count, room / per));
    if (run < count) {
      System.out.printf("  %s: %d × %d subscribers asked, %d open files allowed (ulimit -n): running %d channels%n",
          scenario, count, per, room + 2000, run);
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < run; c++) {
      names.add(tag + "-" + scenario.charAt(0) + c);
    }
    List<Subscriber> subs = connect(target, run * per, i -> i / per, i -> i % target.processCount(), names);
    try {
      return step(scenario, target, subs, names, 0, publishers, rate, 100_000).put("rate", rate).put("channels", run)
          .put("channelsAsked", count).put("subscribersPerChannel", per);
    } finally {
      close(subs);
    }
  }

  /**
   * nodes: how a channel's fanout grows with the cluster. For each count of {@code nodeCounts}, a
   * target of the same kind with that many processes on one Redis ({@link Target#withProcesses}),
   * started for the step and stopped after it; {@code nodesSubscribers} subscribers on one channel,
   * spread evenly over the processes, one publisher on the first at {@code nodesRate} msg/s. Every
   * message goes through Redis once and out to every process, so the per-process costs (Redis
   * subscription, decoding, timers, GC) grow with the count while the deliveries stay the same: the
   * step reports CPU per delivery for the processes and Redis apart, each process's cores, GC pause
   * time where the server reports it, and the latency. A count equal to {@code running}'s processes
   * (the run's own target, already started; null when not started) is measured on it. Targets whose
   * entry points are not separate processes skip the scenario.
   */
  public JsonArray nodes(Target running, Path dir) {
    JsonArray out = new JsonArray();
    if (target.withProcesses(1) == null) {
      System.out.printf("  %-11s nodes    skipped: its number of processes is fixed%n", target.name());
      return out;
    }
    for (int n : s.nodeCounts) {
      if (running != null && running.processCount() == n) {
        out.add(nodesStep(running, n, true));
      } else {
        Target fresh = target.withProcesses(n);
        out.add(fresh.runStarted(dir.resolve("nodes-" + n), () -> nodesStep(fresh, n, false)));
      }
    }
    return out;
  }

  private JsonObject nodesStep(Target t, int n, boolean reused) {
    System.out.printf("  %-11s nodes    %d processes%s%n", t.name(), n, reused ? " (the run's own target)" : "");
    String channel = tag + "-n" + n;
    List<Subscriber> subs = connect(t, s.nodesSubscribers, i -> 0, i -> i % n, List.of(channel));
    try {
      return step("nodes", t, subs, List.of(channel), 0, 1, s.nodesRate, 100_000).put("rate", s.nodesRate)
          .put("nodes", n).put("freshTarget", !reused);
    } finally {
      close(subs);
    }
  }

  private List<Subscriber> connect(Target t, int n, IntUnaryOperator channelOf, IntUnaryOperator processOf,
      List<String> names) {
    Tally idle = new Tally();
    return gen.openAll(n, 64, 180, i -> {
      Subscriber sub = new Subscriber(channelOf.applyAsInt(i), idle);
      return t.subscribe(gen, processOf.applyAsInt(i), names.get(sub.channel()), sub).map(v -> sub);
    });
  }

  private static void close(List<Subscriber> subs) {
    subs.forEach(Subscriber::close);
    ServerProcess.sleep(1000);
  }

  /**
   * One measured step on {@code target}: publishers, warm-up, window, drain, loss. With one publisher
   * it sits on process {@code pubProcess} and publishes on every channel; with {@code publishers} more
   * (at most one per channel), publisher k sits on process k mod the processes and publishes on
   * channels k, k + publishers, …, each at {@code rate / publishers}. Besides CPU per delivery it
   * reports CPU per message published in the window (server and Redis apart), the server's CPU per
   * delivery to subscribers (the publishers' echoes left out), GC pause time in the window where the
   * target reports it, and the load average at the window's end.
   */
  private JsonObject step(String name, Target target, List<Subscriber> subs, List<String> channels, int pubProcess,
      int publishers, double rate, int window) {
    target.checkAlive();
    Tally tally = new Tally();
    subs.forEach(sub -> sub.tally(tally));
    long dupBefore = subs.stream().mapToLong(Subscriber::duplicated).sum();
    int p = Math.max(1, Math.min(publishers, channels.size()));
    int[] pubIds = new int[p];
    List<Publisher> pubs = new ArrayList<>();
    List<RateDriver> drivers = new ArrayList<>();
    for (int k = 0; k < p; k++) {
      List<String> mine = new ArrayList<>();
      for (int c = k; c < channels.size(); c += p) {
        mine.add(channels.get(c));
      }
      pubIds[k] = PUBLISHERS.incrementAndGet();
      Publisher publisher = Generator.await(target.publisher(gen, p == 1 ? pubProcess : k % target.processCount(),
          mine, tally), 60);
      pubs.add(publisher);
      drivers.add(new RateDriver(gen, publisher, mine, pubIds[k], rate / p, window, s.payloadSize, tally,
          subs.size() / channels.size()));
    }
    drivers.forEach(RateDriver::start);
    ServerProcess.sleep(s.warmupSeconds * 1000L);
    long delivered0 = tally.delivered.sum();
    long echoes0 = tally.echoes.sum();
    long messages0 = tally.messages.sum();
    long sent0 = sent(drivers);
    tally.latencyMicros.reset();
    double gc0 = target.gcPauseSeconds();
    tally.measuring = true;
    CpuSample cpu0 = CpuSample.take(target);
    ServerProcess.sleep(s.measureSeconds * 1000L);
    CpuSample cpu1 = CpuSample.take(target);
    tally.measuring = false;
    double gc1 = target.gcPauseSeconds();
    String load = SideBySide.loadAverage();
    Histogram latency = tally.latencyMicros.getIntervalHistogram();
    long delivered = tally.delivered.sum() - delivered0;
    long echoes = tally.echoes.sum() - echoes0;
    long messages = tally.messages.sum() - messages0;
    long sent = sent(drivers) - sent0;
    long[][] perChannel = new long[p][];
    for (int k = 0; k < p; k++) {
      perChannel[k] = drivers.get(k).stop();
    }
    boolean answered = true;
    for (RateDriver d : drivers) {
      answered &= d.awaitAnswers(15);
    }
    awaitQuiet(tally, 15);
    pubs.forEach(pub -> pub.context().runOnContext(v -> pub.close()));

    long lost = 0;
    for (Subscriber sub : subs) {
      int k = sub.channel() % p;
      lost += perChannel[k][sub.channel() / p] - sub.distinct(pubIds[k]);
    }
    long duplicated = subs.stream().mapToLong(Subscriber::duplicated).sum() - dupBefore;
    double wall = cpu0.secondsTo(cpu1);
    JsonObject cpu = cpu0.to(cpu1, delivered, "Delivery", gen.loops());
    JsonObject perMessage = cpu0.to(cpu1, sent, "Message", gen.loops());
    for (String k : List.of("serverMicrosPerMessage", "redisMicrosPerMessage", "totalMicrosPerMessage")) {
      cpu.put(k, perMessage.getValue(k));
    }
    if (delivered > echoes) {
      cpu.put("serverMicrosPerSubscriberDelivery", CpuSample.round((double) cpu.getLong("serverCpuMicros")
          / (delivered - echoes)));
    }
    double expected = rate > 0 ? rate * wall : 0;
    double behind = rate > 0 ? Math.max(0, 1 - sent / expected) : 0;
    boolean bottleneck = cpu.getBoolean("generatorSaturated") || behind > 0.05;
    JsonObject o = new JsonObject().put("scenario", name).put("subscribers", subs.size())
        .put("channelCount", channels.size()).put("measuredSeconds", CpuSample.round(wall))
        .put("publishers", p).put("published", sent).put("publishedPerSecond", CpuSample.round(sent / wall))
        .put("scheduleBehind", CpuSample.round(behind)).put("publishedTotal", sent(drivers))
        .put("acknowledged", drivers.stream().mapToLong(d -> d.acked.get()).sum())
        .put("failedPublishes", drivers.stream().mapToLong(d -> d.failed.get()).sum())
        .put("allAnswered", answered).put("delivered", delivered)
        .put("deliveredPerSecond", CpuSample.round(delivered / wall)).put("echoes", echoes)
        .put("messagesPerDelivery", delivered > echoes ? CpuSample.round((double) messages / (delivered - echoes)) : 0)
        .put("lost", lost).put("duplicated", duplicated).put("latencyMicros", latency(latency)).put("cpu", cpu)
        .put("cpuMicrosPerDelivery", cpu.getDouble("totalMicrosPerDelivery"))
        .put("cpuMicrosPerMessage", cpu.getDouble("totalMicrosPerMessage", 0.0))
        .put("generatorBottleneck", bottleneck).put("loadAverage", load);
    if (gc0 >= 0 && gc1 >= 0) {
      o.put("gcPauseMillis", CpuSample.round((gc1 - gc0) * 1000));
    }
    System.out.printf("  %-11s %-8s %6s msg/s: %,9.0f deliveries/s, p50 %,8d us, p99 %,8d us, %6.2f us CPU/delivery"
            + " (server %.2f, redis %.2f), %.1f us CPU/message, %.3f messages per delivery, lost %d, dup %d%s%n",
        target.name(), name,
        rate > 0 ? String.valueOf((int) rate) : "max", delivered / wall, latency.getValueAtPercentile(50),
        latency.getValueAtPercentile(99), cpu.getDouble("totalMicrosPerDelivery", -1.0),
        cpu.getDouble("serverMicrosPerDelivery", -1.0), cpu.getDouble("redisMicrosPerDelivery", -1.0),
        cpu.getDouble("totalMicrosPerMessage", -1.0), o.getDouble("messagesPerDelivery"), lost,
        duplicated, bottleneck ? "  [generator was the bottleneck]" : "");
    return o;
  }

  private static long sent(List<RateDriver> drivers) {
    return drivers.stream().mapToLong(d -> d.sent.get()).sum();
  }

  /** Waits until no payload arrived for 500 ms, at most {@code seconds}. */
  private static void awaitQuiet(Tally tally, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = tally.delivered.sum();
      if (now == last) {
        return;
      }
      last = now;
      ServerProcess.sleep(500);
    }
  }

  static JsonObject latency(Histogram h) {
    return new JsonObject().put("count", h.getTotalCount()).put("p50", h.getValueAtPercentile(50))
        .put("p90", h.getValueAtPercentile(90)).put("p99", h.getValueAtPercentile(99))
        .put("p999", h.getValueAtPercentile(99.9)).put("max", h.getMaxValue())
        .put("mean", CpuSample.round(h.getMean()));
  }
}
