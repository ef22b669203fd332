package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reduces the runs of a side-by-side to medians with their spread (min–max over the repetitions)
 * and writes them as markdown tables. {@link #values} is what the charts draw too.
 */
public final class Summary {
  private final List<JsonObject> runs;
  private final List<String> targets;

  public Summary(List<JsonObject> runs, List<String> targets) {
    this.runs = runs;
    this.targets = targets;
  }

  /** A value of every run of {@code target} (those where it exists). */
  public List<Double> values(String target, Function<JsonObject, Object> pick) {
    List<Double> out = new ArrayList<>();
    for (JsonObject run : runs) {
      if (!run.getString("target").equals(target)) {
        continue;
      }
      try {
        Object v = pick.apply(run.getJsonObject("scenarios"));
        if (v instanceof Number n) {
          out.add(n.doubleValue());
        } else if (v instanceof Boolean b) {
          out.add(b ? 1.0 : 0.0);
        }
      } catch (RuntimeException missing) {
        // scenario not run or failed
      }
    }
    return out;
  }

  public static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** "median (min–max)", or "–" without values. */
  static String cell(List<Double> v, double scale, String format) {
    if (v.isEmpty()) {
      return "–";
    }
    String m = String.format(Locale.ROOT, format, median(v) * scale);
    if (v.size() == 1) {
      return m;
    }
    return m + " (" + String.format(Locale.ROOT, format, Collections.min(v) * scale) + "–"
        + String.format(Locale.ROOT, format, Collections.max(v) * scale) + ")";
  }

  static String sum(List<Double> v) {
    return v.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f", v.stream().mapToDouble(d -> d).sum());
  }

  /** The fanout step at {@code rate} ("max" for the saturation mode) of a run's scenarios. */
  static JsonObject fanoutAt(JsonObject scenarios, Object rate) {
    JsonArray steps = scenarios.getJsonArray("fanout");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject st = steps.getJsonObject(i);
      if (String.valueOf(st.getValue("rate")).equals(String.valueOf(rate))) {
        return st;
      }
    }
    throw new IllegalArgumentException("no step at " + rate);
  }

  /** The nodes step with {@code count} processes of a run's scenarios. */
  static JsonObject nodesAt(JsonObject scenarios, int count) {
    return at(scenarios.getJsonArray("nodes"), "nodes", count);
  }

  /** The idle level with {@code connections} of a run's scenarios. */
  static JsonObject idleAt(JsonObject scenarios, int connections) {
    return at(scenarios.getJsonObject("idle").getJsonArray("curve"), "connections", connections);
  }

  private static JsonObject at(JsonArray steps, String key, int value) {
    for (int i = 0; i < steps.size(); i++) {
      JsonObject st = steps.getJsonObject(i);
      if (st.getInteger(key) == value) {
        return st;
      }
    }
    throw new IllegalArgumentException("no step with " + key + " " + value);
  }

  /** The idle levels some run measured, ascending. */
  List<Integer> idleLevels() {
    return runs.stream().map(r -> r.getJsonObject("scenarios").getJsonObject("idle"))
        .filter(i -> i != null && i.getJsonArray("curve") != null)
        .flatMap(i -> i.getJsonArray("curve").stream().map(o -> ((JsonObject) o).getInteger("connections")))
        .distinct().sorted().toList();
  }

  /** Whether some run of some target has {@code scenario}'s result. */
  boolean has(String scenario) {
    return runs.stream().anyMatch(r -> r.getJsonObject("scenarios").containsKey(scenario));
  }

  public String markdown(Settings s, JsonObject machine) {
    StringBuilder md = new StringBuilder();
    md.append("# Side-by-side benchmark\n\n");
    md.append("Machine: ").append(machine.getString("description")).append(". Repetitions: ").append(s.runs)
        .append(", targets rotated between repetitions. Cells: median (min–max) over the repetitions.\n\n");
    md.append("CPU is user + system time of the target's processes over the measured window "
        + "(server plus its Redis; the split is in each run's JSON), divided by the deliveries in that window.\n\n");

    if (has("fanout")) {
      fanout(md, s);
    }
    for (String sc : List.of("channels", "xnode")) {
      if (!has(sc)) {
        continue;
      }
      md.append("## ").append(sc).append(sc.equals("channels")
          ? ": " + s.channels + " channels × " + s.subscribersPerChannel + " subscribers, " + s.channelsRate
              + " msg/s spread over them\n\n"
          : ": publisher on one process, " + s.xnodeSubscribers + " subscribers on another, " + s.xnodeRate
              + " msg/s\n\n");
      header(md, "", "metric");
      row(md, "", "CPU µs per delivery", t -> cell(values(t, x -> x.getJsonObject(sc)
          .getValue("cpuMicrosPerDelivery")), 1, "%.2f"));
      row(md, "", "deliveries/s", t -> cell(values(t, x -> x.getJsonObject(sc).getValue("deliveredPerSecond")), 1,
          "%,.0f"));
      row(md, "", "latency p50 / p99 (ms)", t -> cell(values(t, x -> x.getJsonObject(sc)
          .getJsonObject("latencyMicros").getValue("p50")), 1e-3, "%.1f") + " / " + cell(values(t,
          x -> x.getJsonObject(sc).getJsonObject("latencyMicros").getValue("p99")), 1e-3, "%.1f"));
      row(md, "", "lost / duplicated (all runs)", t -> sum(values(t, x -> x.getJsonObject(sc).getValue("lost")))
          + " / " + sum(values(t, x -> x.getJsonObject(sc).getValue("duplicated"))));
      md.append('\n');
    }

    if (has("rooms")) {
      rooms(md, s);
    }
    if (has("nodes")) {
      nodes(md, s);
    }
    if (idleLevels().size() > 1) {
      idleCurve(md);
    }
    if (has("idle") || has("connectWs")) {
      idleAndConnect(md);
    }
    if (targets.stream().anyMatch(t -> !values(t, x -> x.getJsonObject("storm").getValue("clients")).isEmpty())) {
      storm(md, s);
    }
    List<String> errors = new ArrayList<>();
    for (JsonObject run : runs) {
      for (Object e : run.getJsonArray("errors", new JsonArray())) {
        errors.add(run.getString("target") + " run " + run.getInteger("repetition") + ": " + e);
      }
    }
    if (!errors.isEmpty()) {
      md.append("## Errors\n\n");
      errors.forEach(e -> md.append("- ").append(e.replace('\n', ' ')).append('\n'));
    }
    return md.toString();
  }

  /** The fanout table: per rate, CPU per delivery, deliveries/s, latency, loss. */
  private void fanout(StringBuilder md, Settings s) {
    md.append("## fanout: ").append(s.subscribers).append(" subscribers on one channel, one publisher\n\n");
    header(md, "rate (msg/s)", "metric");
    List<Object> rates = new ArrayList<>(s.rates);
    rates.add("max");
    for (Object rate : rates) {
      row(md, rate + "", "CPU µs per delivery", t -> cell(values(t, sc -> fanoutAt(sc, rate)
          .getValue("cpuMicrosPerDelivery")), 1, "%.2f"));
      row(md, rate + "", "deliveries/s", t -> cell(values(t, sc -> fanoutAt(sc, rate)
          .getValue("deliveredPerSecond")), 1, "%,.0f"));
      row(md, rate + "", "latency p50 / p99 / p999 (ms)", t -> cell(values(t, sc -> fanoutAt(sc, rate)
          .getJsonObject("latencyMicros").getValue("p50")), 1e-3, "%.1f") + " / " + cell(values(t,
          sc -> fanoutAt(sc, rate).getJsonObject("latencyMicros").getValue("p99")), 1e-3, "%.1f") + " / "
          + cell(values(t, sc -> fanoutAt(sc, rate).getJsonObject("latencyMicros").getValue("p999")), 1e-3, "%.1f"));
      row(md, rate + "", "WebSocket messages per delivery", t -> cell(values(t, sc -> fanoutAt(sc, rate)
          .getValue("messagesPerDelivery")), 1, "%.3f"));
      row(md, rate + "", "lost / duplicated (all runs)", t -> sum(values(t, sc -> fanoutAt(sc, rate)
          .getValue("lost"))) + " / " + sum(values(t, sc -> fanoutAt(sc, rate).getValue("duplicated"))));
      row(md, rate + "", "other processes' cores", t -> cell(values(t, sc -> fanoutAt(sc, rate).getJsonObject("cpu")
          .getValue("otherProcessesCores")), 1, "%.2f"));
      row(md, rate + "", "generator bottleneck (runs)", t -> sum(values(t, sc -> fanoutAt(sc, rate)
          .getValue("generatorBottleneck"))));
    }
    md.append('\n');
  }

  /** The idle and connect table. */
  private void idleAndConnect(StringBuilder md) {
    md.append("## idle and connect\n\n");
    header(md, "", "metric");
    row(md, "", "idle connections", t -> cell(values(t, x -> x.getJsonObject("idle").getValue("connections")), 1,
        "%,.0f"));
    row(md, "", "RSS per idle connection (KB)", t -> cell(values(t, x -> x.getJsonObject("idle")
        .getValue("rssPerConnectionBytes")), 1 / 1024.0, "%.1f"));
    row(md, "", "live heap per idle connection (KB)", t -> cell(values(t, x -> x.getJsonObject("idle")
        .getValue("liveHeapPerConnectionBytes")), 1 / 1024.0, "%.1f"));
    row(md, "", "Redis RSS per idle connection (KB)", t -> cell(values(t, x -> x.getJsonObject("idle")
        .getValue("redisRssPerConnectionBytes")), 1 / 1024.0, "%.1f"));
    for (String k : List.of("connectWs", "connectWss")) {
      String label = k.equals("connectWs") ? "ws" : "wss";
      row(md, "", label + " handshakes/s", t -> cell(values(t, x -> x.getJsonObject(k)
          .getValue("handshakesPerSecond")), 1, "%,.0f"));
      row(md, "", label + " CPU µs per connection", t -> cell(values(t, x -> x.getJsonObject(k)
          .getValue("cpuMicrosPerConnection")), 1, "%,.0f"));
    }
    md.append('\n');
  }

  /** The rooms table: CPU per message (server and Redis apart) and per delivery, latency, loss. */
  private void rooms(StringBuilder md, Settings s) {
    md.append("## rooms: ").append(s.roomsChannels).append(" channels × ").append(s.roomsPerChannel)
        .append(" subscribers, ").append(s.roomsRate).append(" msg/s spread round-robin over them\n\n");
    header(md, "", "metric");
    Function<String, Function<JsonObject, Object>> r = k -> sc -> sc.getJsonObject("rooms").getValue(k);
    Function<String, Function<JsonObject, Object>> cpu = k -> sc -> sc.getJsonObject("rooms").getJsonObject("cpu")
        .getValue(k);
    row(md, "", "channels run", t -> cell(values(t, r.apply("channels")), 1, "%,.0f"));
    row(md, "", "published msg/s", t -> cell(values(t, r.apply("publishedPerSecond")), 1, "%,.0f"));
    row(md, "", "CPU µs per message (server + Redis)", t -> cell(values(t, cpu.apply("totalMicrosPerMessage")), 1,
        "%.1f"));
    row(md, "", "server CPU µs per message", t -> cell(values(t, cpu.apply("serverMicrosPerMessage")), 1, "%.1f"));
    row(md, "", "Redis CPU µs per message", t -> cell(values(t, cpu.apply("redisMicrosPerMessage")), 1, "%.1f"));
    row(md, "", "server CPU µs per delivery to a subscriber", t -> cell(values(t,
        cpu.apply("serverMicrosPerSubscriberDelivery")), 1, "%.1f"));
    row(md, "", "latency p50 / p99 (ms)", t -> cell(values(t, sc -> sc.getJsonObject("rooms")
        .getJsonObject("latencyMicros").getValue("p50")), 1e-3, "%.1f") + " / " + cell(values(t,
        sc -> sc.getJsonObject("rooms").getJsonObject("latencyMicros").getValue("p99")), 1e-3, "%.1f"));
    row(md, "", "lost / duplicated (all runs)", t -> sum(values(t, r.apply("lost"))) + " / "
        + sum(values(t, r.apply("duplicated"))));
    row(md, "", "server / Redis / other processes' cores", t -> cell(values(t, cpu.apply("serverCores")), 1, "%.2f")
        + " / " + cell(values(t, cpu.apply("redisCores")), 1, "%.2f") + " / "
        + cell(values(t, cpu.apply("otherProcessesCores")), 1, "%.2f"));
    md.append('\n');
  }

  /** The nodes table: per count of processes, CPU per delivery split, GC, latency, loss. */
  private void nodes(StringBuilder md, Settings s) {
    md.append("## nodes: ").append(s.nodesSubscribers).append(" subscribers on one channel spread over N processes"
        + " on one Redis, ").append(s.nodesRate).append(" msg/s\n\n");
    header(md, "processes", "metric");
    for (int n : s.nodeCounts) {
      Function<String, Function<JsonObject, Object>> v = k -> sc -> nodesAt(sc, n).getValue(k);
      Function<String, Function<JsonObject, Object>> cpu = k -> sc -> nodesAt(sc, n).getJsonObject("cpu").getValue(k);
      String c = String.valueOf(n);
      row(md, c, "CPU µs per delivery (processes + Redis)", t -> cell(values(t, v.apply("cpuMicrosPerDelivery")), 1,
          "%.2f"));
      row(md, c, "processes / Redis µs per delivery", t -> cell(values(t, cpu.apply("serverMicrosPerDelivery")), 1,
          "%.2f") + " / " + cell(values(t, cpu.apply("redisMicrosPerDelivery")), 1, "%.2f"));
      row(md, c, "latency p50 / p99 (ms)", t -> cell(values(t, sc -> nodesAt(sc, n).getJsonObject("latencyMicros")
          .getValue("p50")), 1e-3, "%.1f") + " / " + cell(values(t, sc -> nodesAt(sc, n)
          .getJsonObject("latencyMicros").getValue("p99")), 1e-3, "%.1f"));
      row(md, c, "deliveries/s", t -> cell(values(t, v.apply("deliveredPerSecond")), 1, "%,.0f"));
      row(md, c, "GC pause ms in the window", t -> cell(values(t, v.apply("gcPauseMillis")), 1, "%.0f"));
      row(md, c, "lost / duplicated (all runs)", t -> sum(values(t, v.apply("lost"))) + " / "
          + sum(values(t, v.apply("duplicated"))));
      row(md, c, "other processes' cores", t -> cell(values(t, cpu.apply("otherProcessesCores")), 1, "%.2f"));
    }
    md.append('\n');
  }

  /** The idle curve table: memory per connection at each level. */
  private void idleCurve(StringBuilder md) {
    md.append("## idle curve: memory per idle connection at each count held\n\n");
    header(md, "connections", "metric");
    for (int n : idleLevels()) {
      String c = String.format(Locale.ROOT, "%,d", n);
      row(md, c, "RSS per connection (KB)", t -> cell(values(t, sc -> idleAt(sc, n).getValue("rssPerConnectionBytes")),
          1 / 1024.0, "%.1f"));
      row(md, c, "live heap per connection (KB)", t -> cell(values(t, sc -> idleAt(sc, n)
          .getValue("liveHeapPerConnectionBytes")), 1 / 1024.0, "%.1f"));
      row(md, c, "Redis RSS per connection (KB)", t -> cell(values(t, sc -> idleAt(sc, n)
          .getValue("redisRssPerConnectionBytes")), 1 / 1024.0, "%.2f"));
    }
    md.append('\n');
  }

  /** The storm scenario's table: kill-to-back times, loss, the survivors' latency around the kill. */
  private void storm(StringBuilder md, Settings s) {
    md.append("## storm: ").append(s.stormClients).append(" clients over 3 processes, ").append(s.stormChannels)
        .append(" recoverable channels × ").append(s.stormRate).append(" msg/s, one process killed (SIGKILL)\n\n");
    header(md, "", "metric");
    Function<String, Function<JsonObject, Object>> at = path -> sc -> {
      Object v = sc.getJsonObject("storm");
      for (String k : path.split("\\.")) {
        v = ((JsonObject) v).getValue(k);
      }
      return v;
    };
    row(md, "", "clients of the killed process", t -> cell(values(t, at.apply("clientsOfKilledNode")), 1, "%.0f"));
    row(md, "", "back with exact recovery", t -> cell(values(t, at.apply("backWithExactRecovery")), 1, "%.0f"));
    row(md, "", "kill to back: first / p50 / p99 / last (ms)", t -> String.join(" / ",
        cell(values(t, at.apply("backMillis.first")), 1, "%,.0f"), cell(values(t, at.apply("backMillis.p50")), 1,
            "%,.0f"), cell(values(t, at.apply("backMillis.p99")), 1, "%,.0f"),
        cell(values(t, at.apply("backMillis.last")), 1, "%,.0f")));
    row(md, "", "not back with exact recovery within " + s.stormDeadline + " s / server said not recovered", t -> cell(values(t,
        at.apply("notBackWithinDeadline")), 1, "%.0f") + " / " + cell(values(t, at.apply("notRecovered")), 1, "%.0f"));
    row(md, "", "kill to the server's answer, p50 / last (ms)", t -> cell(values(t, at.apply("resumedMillis.p50")), 1,
        "%,.0f") + " / " + cell(values(t, at.apply("resumedMillis.last")), 1, "%,.0f"));
    row(md, "", "reconnect (after the jitter) to answer, p50 / p99 (ms)", t -> cell(values(t,
        at.apply("reconnectToAnswerMillis.p50")), 1, "%,.0f") + " / " + cell(values(t,
        at.apply("reconnectToAnswerMillis.p99")), 1, "%,.0f"));
    row(md, "", "of which handshake / subscribe answer, p50 (ms)", t -> cell(values(t,
        at.apply("handshakeMillis.p50")), 1, "%,.0f") + " / " + cell(values(t, at.apply("subscribeMillis.p50")), 1,
        "%,.0f"));
    row(md, "", "lost / duplicated (all runs, all clients)", t -> sum(values(t, at.apply("lost"))) + " / "
        + sum(values(t, at.apply("duplicated"))));
    row(md, "", "of which by clients of the killed process", t -> sum(values(t, at.apply("lostByClientsOfKilledNode")))
        + " / " + sum(values(t, at.apply("duplicatedByClientsOfKilledNode"))));
    row(md, "", "survivors' p99 before / during / after (ms)", t -> String.join(" / ",
        cell(values(t, at.apply("survivorsLatencyMicros.before.p99")), 1e-3, "%.1f"),
        cell(values(t, at.apply("survivorsLatencyMicros.during.p99")), 1e-3, "%.1f"),
        cell(values(t, at.apply("survivorsLatencyMicros.after.p99")), 1e-3, "%.1f")));
    row(md, "", "survivors' p99, during over before", t -> cell(values(t, at.apply("p99DuringOverBefore")), 1,
        "%.2f"));
    row(md, "", "all back within 2 s (runs)", t -> sum(values(t, at.apply("allBackWithin2s"))));
    row(md, "", "server + Redis cores before the kill / from the kill", t -> cell(values(t, sc -> sumCores(
        sc.getJsonObject("storm").getJsonObject("cpuBeforeKill"))), 1, "%.2f") + " / " + cell(values(t,
        sc -> sumCores(sc.getJsonObject("storm").getJsonObject("cpuFromKill"))), 1, "%.2f"));
    row(md, "", "generator cores / other processes' cores, from the kill", t -> cell(values(t,
        at.apply("cpuFromKill.generatorCores")), 1, "%.2f") + " / " + cell(values(t,
        at.apply("cpuFromKill.otherProcessesCores")), 1, "%.2f"));
    row(md, "", "load average before (1 min)", t -> cell(values(t, sc -> Double.valueOf(sc.getJsonObject("storm")
        .getString("loadAverageBefore").split(" ")[0])), 1, "%.2f"));
    md.append('\n');
  }

  private static double sumCores(JsonObject cpu) {
    return cpu.getDouble("serverCores") + cpu.getDouble("redisCores");
  }

  /** The storm result of {@code target}'s first run that has one, or null. */
  public JsonObject firstStorm(String target) {
    for (JsonObject run : runs) {
      JsonObject st = run.getString("target").equals(target)
          ? run.getJsonObject("scenarios").getJsonObject("storm") : null;
      if (st != null && st.containsKey("windows")) {
        return st;
      }
    }
    return null;
  }

  private void header(StringBuilder md, String first, String second) {
    md.append('|').append(first.isEmpty() ? "" : " " + first + " |").append(' ').append(second).append(" |");
    targets.forEach(t -> md.append(' ').append(t).append(" |"));
    md.append("\n|").append(first.isEmpty() ? "" : " --- |").append(" --- |");
    targets.forEach(t -> md.append(" --- |"));
    md.append('\n');
  }

  private void row(StringBuilder md, String first, String metric, Function<String, String> cell) {
    md.append('|').append(first.isEmpty() ? "" : " " + first + " |").append(' ').append(metric).append(" |");
    for (String t : targets) {
      String c;
      try {
        c = cell.apply(t);
      } catch (RuntimeException e) {
        c = "–";
      }
      md.append(' ').append(c).append(" |");
    }
    md.append('\n');
  }
}
