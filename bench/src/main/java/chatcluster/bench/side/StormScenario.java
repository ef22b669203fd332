package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * storm: what a node's crash costs its clients and everyone else. The target is started anew with
 * {@value #PROCESSES} processes, its channels recoverable ({@link Target#recoverable}: ChatCluster's
 * persistent channels, Socket.IO's connection state recovery). {@code stormClients} clients, client i on
 * process i mod 3 and channel (i / 3) mod {@code stormChannels}, so every channel has subscribers on
 * every process; one publisher on each of the two processes that will survive, together
 * {@code stormRate} msg/s per channel. After {@code stormWarmup} s and {@code stormSeconds} of steady load, the
 * first process is killed with SIGKILL. Each of its clients sees its connection end, waits a random
 * 0–200 ms (a real client's first retry, recorded) and connects to a survivor, asking to resume from
 * the last message it got; it is back when the server says the resumption is exact and the missed
 * messages have arrived. The load goes on until every one of them is back (or resumed without
 * recovery, or {@code stormDeadline} s passed), then {@code stormSeconds} more; then the publishers stop
 * and the bench waits until nothing arrives.
 *
 * <p>Reports: kill-to-back time per client (first, p50, p99, last), clients not back within the
 * deadline, those the server said it could not recover, messages lost and duplicated per client over
 * the whole run (every client must end with every message of its channel, once, in order), and the
 * surviving clients' publish-to-delivery latency in 1 s windows: p99 before the kill, during (kill to
 * the last client back) and after.
 */
public final class StormScenario {
  static final int PROCESSES = 3;
  static final int KILLED = 0;
  private final Target base;
  private final Generator gen;
  private final Settings s;
  private final String tag;

  public StormScenario(Target target, Generator gen, Settings settings, String tag) {
    this.base = target;
    this.gen = gen;
    this.s = settings;
    this.tag = tag;
  }

  /** Starts a recoverable copy of the target in {@code dir}, runs the storm, stops it. */
  public JsonObject run(Path dir) {
    String prefix = tag + "-storm";
    // History for what a client can miss until the deadline, twice over.
    Target t = base.recoverable(PROCESSES, prefix, Math.max(100, 2 * s.stormRate * s.stormDeadline));
    if (t == null) {
      System.out.printf("  %-11s storm    skipped: no recovery of missed messages%n", base.name());
      return new JsonObject().put("scenario", "storm").put("skipped", base.name()
          + " has no recovery of missed messages");
    }
    return t.runStarted(dir, () -> storm(t, prefix));
  }

  private JsonObject storm(Target t, String prefix) {
    String loadBefore = SideBySide.loadAverage();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < s.stormChannels; c++) {
      names.add(prefix + "-" + c);
    }
    Tally survivorsTally = new Tally();
    Tally killedTally = new Tally();
    List<StormClient> clients = gen.openAll(s.stormClients, 64, 180, i -> {
      int ch = (i / PROCESSES) % names.size();
      StormClient c = new StormClient(i, ch, names.get(ch), i % PROCESSES == KILLED ? killedTally : survivorsTally,
          gen.vertx().getOrCreateContext());
      return t.connectRecovering(gen, i % PROCESSES, c).map(v -> c);
    });
    clients.sort((a, b) -> Integer.compare(a.id(), b.id()));
    List<StormClient> victims = clients.stream().filter(c -> c.id() % PROCESSES == KILLED).toList();
    List<StormClient> survivors = clients.stream().filter(c -> c.id() % PROCESSES != KILLED).toList();

    Tally echoes = new Tally();
    List<RateDriver> drivers = new ArrayList<>();
    List<Publisher> publishers = new ArrayList<>();
    List<Integer> alive = new ArrayList<>();
    for (int p = 0; p < PROCESSES; p++) {
      if (p != KILLED) {
        alive.add(p);
      }
    }
    for (int k = 0; k < alive.size(); k++) {
      Publisher pub = Generator.await(t.publisher(gen, alive.get(k), names, echoes), 60);
      publishers.add(pub);
      // Publisher ids 1 and 2: each publishes on every channel, half the channel's rate.
      drivers.add(new RateDriver(gen, pub, names, k + 1, (double) s.stormRate * names.size() / alive.size(),
          100_000, s.payloadSize, echoes, 1));
    }
    java.util.concurrent.atomic.AtomicBoolean active = new java.util.concurrent.atomic.AtomicBoolean(true);
    StormClient.Storm storm = new StormClient.Storm() {
      @Override
      public void connect(StormClient c, int process) {
        t.connectRecovering(gen, process, c).onFailure(e -> c.retry());
      }

      @Override
      public List<Integer> survivors() {
        return alive;
      }

      @Override
      public boolean active() {
        return active.get();
      }
    };

    drivers.forEach(RateDriver::start);
    ServerProcess.sleep(s.stormWarmup * 1000L);
    t.checkAlive();
    survivorsTally.latencyMicros.reset();
    survivorsTally.measuring = true;
    CpuSample cpu0 = CpuSample.take(t);
    long t0 = System.nanoTime();
    List<Window> windows = new ArrayList<>();
    int k = 0;
    for (; k < s.stormSeconds; k++) {
      windows.add(window(survivorsTally, t0, k));
    }
    victims.forEach(c -> c.arm(storm));
    CpuSample cpuKill = CpuSample.take(t);
    long killNanos = System.nanoTime();
    long pid = t.kill(KILLED);
    CpuSample cpuKilled = CpuSample.take(t); // the killed process counts no more
    long deadline = killNanos + s.stormDeadline * 1_000_000_000L;
    while (System.nanoTime() < deadline && !allResumed(victims)) {
      windows.add(window(survivorsTally, t0, k++));
    }
    long endNanos = Math.min(deadline, lastResumed(victims, killNanos));
    int after = 0;
    while (after < s.stormSeconds) {
      Window w = window(survivorsTally, t0, k++);
      windows.add(w);
      if (w.start >= endNanos) {
        after++;
      }
    }
    survivorsTally.measuring = false;
    CpuSample cpu1 = CpuSample.take(t);

    List<long[]> perChannel = new ArrayList<>();
    drivers.forEach(d -> perChannel.add(d.stop()));
    boolean answered = drivers.stream().allMatch(d -> d.awaitAnswers(15));
    awaitQuiet(List.of(survivorsTally, killedTally), 15);
    active.set(false);
    long lost = 0;
    long duplicated = 0;
    long lostByVictims = 0;
    long duplicatedByVictims = 0;
    int clientsLosing = 0;
    for (StormClient c : clients) {
      long missing = 0;
      for (int p = 0; p < drivers.size(); p++) {
        missing += perChannel.get(p)[c.subscriber().channel()] - c.subscriber().distinct(p + 1);
      }
      lost += missing;
      clientsLosing += missing > 0 ? 1 : 0;
      duplicated += c.subscriber().duplicated();
      if (c.id() % PROCESSES == KILLED) {
        lostByVictims += missing;
        duplicatedByVictims += c.subscriber().duplicated();
      }
    }
    long published = drivers.stream().mapToLong(d -> d.sent.get()).sum();
    long failed = drivers.stream().mapToLong(d -> d.failed.get()).sum();
    clients.forEach(StormClient::close);
    publishers.forEach(p -> p.context().runOnContext(v -> p.close()));
    ServerProcess.sleep(1000);

    List<Double> back = new ArrayList<>();
    List<Double> resumed = new ArrayList<>();
    List<Double> jitter = new ArrayList<>();
    List<Double> connectToAnswer = new ArrayList<>();
    List<Double> handshake = new ArrayList<>();
    List<Double> subscribe = new ArrayList<>();
    List<Double> catchUp = new ArrayList<>();
    int notRecovered = 0;
    int attempts = 0;
    int resets = 0;
    for (StormClient c : victims) {
      if (c.backNanos() > 0 && c.backNanos() <= deadline) {
        back.add((c.backNanos() - killNanos) / 1e6);
      }
      if (c.ackNanos() > 0) {
        resumed.add((c.ackNanos() - killNanos) / 1e6);
        // From the end of the jitter (the reconnect's start) to the server's answer.
        connectToAnswer.add((c.ackNanos() - c.closedNanos()) / 1e6 - c.jitterMillis());
        if (c.welcomeNanos() > c.attemptNanos() && c.attemptNanos() > 0) {
          handshake.add((c.welcomeNanos() - c.attemptNanos()) / 1e6);
          subscribe.add((c.ackNanos() - c.welcomeNanos()) / 1e6);
        }
      }
      if (c.backNanos() > 0 && c.ackNanos() > 0) {
        catchUp.add((c.backNanos() - c.ackNanos()) / 1e6);
      }
      if (c.jitterMillis() >= 0) {
        jitter.add((double) c.jitterMillis());
      }
      notRecovered += c.notRecovered() ? 1 : 0;
      attempts += c.attempts();
      resets += c.resets();
    }
    for (StormClient c : survivors) {
      resets += c.resets();
    }
    JsonObject before = phase(windows, w -> w.end <= killNanos);
    JsonObject during = phase(windows, w -> w.end > killNanos && w.start < endNanos);
    JsonObject afterPhase = phase(windows, w -> w.start >= endNanos);
    JsonArray series = new JsonArray();
    for (Window w : windows) {
      series.add(new JsonObject().put("fromKillMillis", Math.round((w.start - killNanos) / 1e6))
          .put("count", w.h.getTotalCount()).put("p50", w.h.getValueAtPercentile(50))
          .put("p99", w.h.getValueAtPercentile(99)).put("max", w.h.getMaxValue()));
    }
    boolean allBack = back.size() == victims.size();
    double last = back.isEmpty() ? Double.NaN : Collections.max(back);
    long p99Before = before.getLong("p99", 0L);
    long p99During = during.getLong("p99", 0L);
    JsonObject o = new JsonObject().put("scenario", "storm").put("processes", PROCESSES)
        .put("clients", clients.size()).put("channels", names.size()).put("ratePerChannel", s.stormRate)
        .put("killedProcess", KILLED).put("killedPid", pid).put("clientsOfKilledNode", victims.size())
        .put("deadlineSeconds", s.stormDeadline)
        .put("backWithExactRecovery", back.size()).put("notBackWithinDeadline", victims.size() - back.size())
        .put("notRecovered", notRecovered).put("reconnectAttempts", attempts).put("resets", resets)
        .put("backMillis", spread(back)).put("resumedMillis", spread(resumed)).put("jitterMillis", spread(jitter))
        .put("reconnectToAnswerMillis", spread(connectToAnswer))
        // The last (successful) attempt: connect to the server's greeting, greeting to the subscribe's answer,
        // answer to the last missed message.
        .put("handshakeMillis", spread(handshake)).put("subscribeMillis", spread(subscribe))
        .put("answerToBackMillis", spread(catchUp))
        .put("published", published).put("failedPublishes", failed).put("allAnswered", answered)
        .put("lost", lost).put("duplicated", duplicated).put("clientsWithLoss", clientsLosing)
        .put("lostByClientsOfKilledNode", lostByVictims).put("duplicatedByClientsOfKilledNode", duplicatedByVictims)
        .put("survivorsLatencyMicros", new JsonObject().put("before", before).put("during", during)
            .put("after", afterPhase))
        .put("duringSeconds", CpuSample.round((endNanos - killNanos) / 1e9)).put("windows", series)
        .put("allBackWithin2s", allBack && last <= 2000)
        .put("p99DuringOverBefore", p99Before > 0 ? CpuSample.round((double) p99During / p99Before) : null)
        .put("cpuBeforeKill", cpu0.to(cpuKill, 0, "", gen.loops()))
        .put("cpuFromKill", cpuKilled.to(cpu1, 0, "", gen.loops()))
        .put("loadAverageBefore", loadBefore).put("loadAverageAfter", SideBySide.loadAverage());
    System.out.printf("  %-11s storm    %d of %d clients back with exact recovery (not recovered %d), first %.0f /"
            + " p50 %.0f / p99 %.0f / last %.0f ms after the kill; lost %d, dup %d; survivors' p99 %.1f / %.1f / %.1f ms"
            + " before / during / after%n", t.name(), back.size(), victims.size(), notRecovered,
        o.getJsonObject("backMillis").getDouble("first", Double.NaN),
        o.getJsonObject("backMillis").getDouble("p50", Double.NaN),
        o.getJsonObject("backMillis").getDouble("p99", Double.NaN), last, lost, duplicated, p99Before / 1e3,
        p99During / 1e3, afterPhase.getLong("p99", 0L) / 1e3);
    return o;
  }

  private record Window(long start, long end, Histogram h) {}

  /** Sleeps until the end of the k-th second after {@code t0}, then takes that second's latencies. */
  private static Window window(Tally tally, long t0, int k) {
    long end = t0 + (k + 1) * 1_000_000_000L;
    long wait = end - System.nanoTime();
    if (wait > 0) {
      ServerProcess.sleep(wait / 1_000_000);
    }
    return new Window(t0 + k * 1_000_000_000L, System.nanoTime(), tally.latencyMicros.getIntervalHistogram());
  }

  /** Latency over the windows {@code in} picks: merged p50 / p99 / max, and the worst window's p99. */
  private static JsonObject phase(List<Window> windows, java.util.function.Predicate<Window> in) {
    Histogram all = new Histogram(3_600_000_000L, 3);
    long worst = 0;
    int n = 0;
    for (Window w : windows) {
      if (in.test(w)) {
        all.add(w.h);
        worst = Math.max(worst, w.h.getValueAtPercentile(99));
        n++;
      }
    }
    return new JsonObject().put("windows", n).put("count", all.getTotalCount()).put("p50", all.getValueAtPercentile(50))
        .put("p99", all.getValueAtPercentile(99)).put("max", all.getMaxValue()).put("worstWindowP99", worst);
  }

  private static boolean allResumed(List<StormClient> victims) {
    for (StormClient c : victims) {
      if (c.backNanos() == 0 && !(c.notRecovered() && c.ackNanos() > 0)) {
        return false;
      }
    }
    return true;
  }

  /** When the last client of the killed process was back (or resumed without recovery). */
  private static long lastResumed(List<StormClient> victims, long killNanos) {
    long last = killNanos;
    for (StormClient c : victims) {
      long at = c.backNanos() > 0 ? c.backNanos() : c.ackNanos() > 0 ? c.ackNanos() : Long.MAX_VALUE;
      last = Math.max(last, at);
    }
    return last;
  }

  /** first, p50, p99, last of a list of milliseconds (nearest rank), rounded to 0.1 ms. */
  static JsonObject spread(List<Double> millis) {
    JsonObject o = new JsonObject().put("count", millis.size());
    if (millis.isEmpty()) {
      return o;
    }
    List<Double> v = new ArrayList<>(millis);
    Collections.sort(v);
    return o.put("first", tenth(v.get(0))).put("p50", tenth(rank(v, 50))).put("p99", tenth(rank(v, 99)))
        .put("last", tenth(v.get(v.size() - 1)));
  }

  private static double rank(List<Double> sorted, double pct) {
    int i = (int) Math.ceil(pct / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static double tenth(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Waits until no payload arrived for 500 ms on any of {@code tallies}, at most {@code seconds}. */
  private static void awaitQuiet(List<Tally> tallies, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = tallies.stream().mapToLong(x -> x.delivered.sum()).sum();
      if (now == last) {
        return;
      }
      last = now;
      ServerProcess.sleep(500);
    }
  }
}
