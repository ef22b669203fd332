package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
    List<Subscriber> subs = connect(s.subscribers, i -> 0, i -> i % target.processCount(), List.of(channel));
    JsonArray out = new JsonArray();
    try {
      if (withRates) {
        for (int rate : s.rates) {
          out.add(step("fanout", subs, List.of(channel), 0, rate, 100_000).put("rate", rate));
        }
      }
      if (withMax) {
        out.add(step("max", subs, List.of(channel), 0, 0, s.maxWindow).put("rate", "max"));
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
    List<Subscriber> subs = connect(s.xnodeSubscribers, i -> 0, i -> subProcess, List.of(channel));
    try {
      return step("xnode", subs, List.of(channel), 0, s.xnodeRate, 100_000).put("rate", s.xnodeRate)
          .put("crossProcess", target.separateProcesses() && target.processCount() > 1);
    } finally {
      close(subs);
    }
  }

  /**
   * channels: {@code channels} channels with {@code subscribersPerChannel} subscribers each (placed
   * round-robin on the processes, so a channel's subscribers sit on different ones), one publisher
   * publishing {@code channelsRate} msg/s spread round-robin over the channels.
   */
  public JsonObject channels() {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < s.channels; c++) {
      names.add(tag + "-c" + c);
    }
    int per = s.subscribersPerChannel;
    List<Subscriber> subs = connect(s.channels * per, i -> i / per, i -> i % target.processCount(), names);
    try {
      return step("channels", subs, names, 0, s.channelsRate, 100_000).put("rate", s.channelsRate)
          .put("channels", s.channels).put("subscribersPerChannel", per);
    } finally {
      close(subs);
    }
  }

  private List<Subscriber> connect(int n, IntUnaryOperator channelOf, IntUnaryOperator processOf,
      List<String> names) {
    Tally idle = new Tally();
    return gen.openAll(n, 64, 180, i -> {
      Subscriber sub = new Subscriber(channelOf.applyAsInt(i), idle);
      return target.subscribe(gen, processOf.applyAsInt(i), names.get(sub.channel()), sub).map(v -> sub);
    });
  }

  private static void close(List<Subscriber> subs) {
    subs.forEach(Subscriber::close);
    ServerProcess.sleep(1000);
  }

  /** One measured step: publisher, warm-up, window, drain, loss. */
  private JsonObject step(String name, List<Subscriber> subs, List<String> channels, int pubProcess, double rate,
      int window) {
    target.checkAlive();
    Tally tally = new Tally();
    subs.forEach(sub -> sub.tally(tally));
    long dupBefore = subs.stream().mapToLong(Subscriber::duplicated).sum();
    int pubId = PUBLISHERS.incrementAndGet();
    Publisher publisher = Generator.await(target.publisher(gen, pubProcess, channels, tally), 60);
    RateDriver driver = new RateDriver(gen, publisher, channels, pubId, rate, window, s.payloadSize, tally,
        subs.size() / channels.size());
    driver.start();
    ServerProcess.sleep(s.warmupSeconds * 1000L);
    long delivered0 = tally.delivered.sum();
    long echoes0 = tally.echoes.sum();
    long messages0 = tally.messages.sum();
    long sent0 = driver.sent.get();
    tally.latencyMicros.reset();
    tally.measuring = true;
    CpuSample cpu0 = CpuSample.take(target);
    ServerProcess.sleep(s.measureSeconds * 1000L);
    CpuSample cpu1 = CpuSample.take(target);
    tally.measuring = false;
    Histogram latency = tally.latencyMicros.getIntervalHistogram();
    long delivered = tally.delivered.sum() - delivered0;
    long echoes = tally.echoes.sum() - echoes0;
    long messages = tally.messages.sum() - messages0;
    long sent = driver.sent.get() - sent0;
    long[] perChannel = driver.stop();
    boolean answered = driver.awaitAnswers(15);
    awaitQuiet(tally, 15);
    publisher.context().runOnContext(v -> publisher.close());

    long lost = 0;
    for (Subscriber sub : subs) {
      lost += perChannel[sub.channel()] - sub.distinct(pubId);
    }
    long duplicated = subs.stream().mapToLong(Subscriber::duplicated).sum() - dupBefore;
    double wall = cpu0.secondsTo(cpu1);
    JsonObject cpu = cpu0.to(cpu1, delivered, "Delivery", gen.loops());
    double expected = rate > 0 ? rate * wall : 0;
    double behind = rate > 0 ? Math.max(0, 1 - sent / expected) : 0;
    boolean bottleneck = cpu.getBoolean("generatorSaturated") || behind > 0.05;
    JsonObject o = new JsonObject().put("scenario", name).put("subscribers", subs.size())
        .put("channelCount", channels.size()).put("measuredSeconds", CpuSample.round(wall))
        .put("published", sent).put("publishedPerSecond", CpuSample.round(sent / wall))
        .put("scheduleBehind", CpuSample.round(behind)).put("publishedTotal", driver.sent.get())
        .put("acknowledged", driver.acked.get()).put("failedPublishes", driver.failed.get())
        .put("allAnswered", answered).put("delivered", delivered)
        .put("deliveredPerSecond", CpuSample.round(delivered / wall)).put("echoes", echoes)
        .put("messagesPerDelivery", delivered > echoes ? CpuSample.round((double) messages / (delivered - echoes)) : 0)
        .put("lost", lost).put("duplicated", duplicated).put("latencyMicros", latency(latency)).put("cpu", cpu)
        .put("cpuMicrosPerDelivery", cpu.getDouble("totalMicrosPerDelivery"))
        .put("generatorBottleneck", bottleneck);
    System.out.printf("  %-11s %-8s %6s msg/s: %,9.0f deliveries/s, p50 %,8d us, p99 %,8d us, %6.2f us CPU/delivery"
            + " (server %.2f, redis %.2f), %.3f messages per delivery, lost %d, dup %d%s%n",
        target.name(), name,
        rate > 0 ? String.valueOf((int) rate) : "max", delivered / wall, latency.getValueAtPercentile(50),
        latency.getValueAtPercentile(99), cpu.getDouble("totalMicrosPerDelivery", -1.0),
        cpu.getDouble("serverMicrosPerDelivery", -1.0), cpu.getDouble("redisMicrosPerDelivery", -1.0),
        o.getDouble("messagesPerDelivery"), lost,
        duplicated, bottleneck ? "  [generator was the bottleneck]" : "");
    return o;
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
