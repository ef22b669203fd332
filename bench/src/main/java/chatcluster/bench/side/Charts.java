package chatcluster.bench.side;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The side-by-side charts, PNG files drawn headless with XChart from the medians of
 * {@link Summary}: server CPU µs per delivery against the publish rate, latency percentiles, and
 * resident memory per idle connection, one series or bar per target; with the storm scenario, the surviving
 * clients' p99 per second around the kill; with the growth curves (nodes, rooms, idle levels), how CPU,
 * latency and memory change with processes, channels and connections.
 */
public final class Charts {
  private Charts() {}

  /**
   * Writes cpu-per-delivery.png, latency.png, idle-rss.png (and storm.png; nodes-cpu.png and
   * nodes-p99.png, rooms-cpu.png, idle-curve.png when the run has those scenarios or idle levels)
   * into {@code dir}; returns their paths.
   */
  public static List<Path> write(Summary summary, Settings s, List<String> targets, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Path> out = new ArrayList<>();

    XYChart cpu = new XYChartBuilder().width(800).height(500)
        .title("fanout, " + s.subscribers + " subscribers: CPU per delivery (server + Redis)")
        .xAxisTitle("publish rate (msg/s)").yAxisTitle("CPU µs per delivery").build();
    cpu.getStyler().setYAxisMin(0.0);
    cpu.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    for (String t : targets) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int rate : s.rates) {
        double m = Summary.median(summary.values(t, sc -> Summary.fanoutAt(sc, rate).getValue("cpuMicrosPerDelivery")));
        if (!Double.isNaN(m)) {
          xs.add((double) rate);
          ys.add(m);
        }
      }
      if (!xs.isEmpty()) {
        cpu.addSeries(t, xs, ys);
      }
    }
    out.add(save(cpu, dir.resolve("cpu-per-delivery")));

    int rate = s.rates.get(s.rates.size() - 1);
    CategoryChart lat = new CategoryChartBuilder().width(800).height(500)
        .title("fanout at " + rate + " msg/s × " + s.subscribers + " subscribers: publish-to-delivery latency")
        .xAxisTitle("target").yAxisTitle("ms (median of runs)").build();
    lat.getStyler().setYAxisMin(0.0);
    lat.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    for (String p : List.of("p50", "p99", "p999")) {
      List<Double> ys = new ArrayList<>();
      for (String t : targets) {
        double m = Summary.median(summary.values(t, sc -> Summary.fanoutAt(sc, rate).getJsonObject("latencyMicros")
            .getValue(p)));
        ys.add(Double.isNaN(m) ? 0 : m / 1000);
      }
      lat.addSeries(p, targets, ys);
    }
    out.add(save(lat, dir.resolve("latency")));

    CategoryChart rss = new CategoryChartBuilder().width(800).height(500)
        .title("idle connections: server RSS per connection").xAxisTitle("target").yAxisTitle("KB per connection")
        .build();
    rss.getStyler().setYAxisMin(0.0);
    rss.getStyler().setLegendVisible(false);
    List<Double> kb = new ArrayList<>();
    for (String t : targets) {
      double m = Summary.median(summary.values(t, sc -> sc.getJsonObject("idle").getValue("rssPerConnectionBytes")));
      kb.add(Double.isNaN(m) ? 0 : m / 1024);
    }
    rss.addSeries("RSS per connection", targets, kb);
    out.add(save(rss, dir.resolve("idle-rss")));
    XYChart storm = new XYChartBuilder().width(800).height(500)
        .title("storm: surviving clients' p99 latency per second, one of 3 processes killed at 0")
        .xAxisTitle("seconds from the kill").yAxisTitle("p99 ms (first run)").build();
    storm.getStyler().setYAxisMin(0.0);
    storm.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    for (String t : targets) {
      io.vertx.core.json.JsonObject st = summary.firstStorm(t);
      if (st == null) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (Object o : st.getJsonArray("windows")) {
        io.vertx.core.json.JsonObject w = (io.vertx.core.json.JsonObject) o;
        xs.add(w.getLong("fromKillMillis") / 1000.0);
        ys.add(w.getLong("p99") / 1000.0);
      }
      storm.addSeries(t, xs, ys);
    }
    if (!storm.getSeriesMap().isEmpty()) {
      out.add(save(storm, dir.resolve("storm")));
    }
    if (summary.has("nodes")) {
      out.addAll(nodes(summary, s, targets, dir));
    }
    if (summary.has("rooms")) {
      out.add(rooms(summary, s, targets, dir));
    }
    if (summary.idleLevels().size() > 1) {
      out.add(idleCurve(summary, targets, dir));
    }
    return out;
  }

  /**
   * nodes-cpu.png (CPU per delivery against the number of processes, with Redis's share as a series
   * of its own) and nodes-p99.png (p99 latency against the number of processes).
   */
  private static List<Path> nodes(Summary summary, Settings s, List<String> targets, Path dir) throws IOException {
    XYChart cpu = new XYChartBuilder().width(800).height(500)
        .title("nodes, " + s.nodesSubscribers + " subscribers, " + s.nodesRate + " msg/s: CPU per delivery")
        .xAxisTitle("processes on one Redis").yAxisTitle("CPU µs per delivery").build();
    XYChart p99 = new XYChartBuilder().width(800).height(500)
        .title("nodes, " + s.nodesSubscribers + " subscribers, " + s.nodesRate + " msg/s: p99 latency")
        .xAxisTitle("processes on one Redis").yAxisTitle("p99 ms (median of runs)").build();
    for (XYChart c : List.of(cpu, p99)) {
      c.getStyler().setYAxisMin(0.0);
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    }
    for (String t : targets) {
      series(cpu, t + ": processes + Redis", s.nodeCounts, n -> Summary.median(summary.values(t,
          sc -> Summary.nodesAt(sc, n).getValue("cpuMicrosPerDelivery"))));
      series(cpu, t + ": Redis", s.nodeCounts, n -> Summary.median(summary.values(t,
          sc -> Summary.nodesAt(sc, n).getJsonObject("cpu").getValue("redisMicrosPerDelivery"))));
      series(p99, t, s.nodeCounts, n -> Summary.median(summary.values(t,
          sc -> Summary.nodesAt(sc, n).getJsonObject("latencyMicros").getValue("p99"))) / 1000);
    }
    return List.of(save(cpu, dir.resolve("nodes-cpu")), save(p99, dir.resolve("nodes-p99")));
  }

  /** rooms-cpu.png: CPU per message, server and Redis stacked, one bar per target. */
  private static Path rooms(Summary summary, Settings s, List<String> targets, Path dir) throws IOException {
    double run = Double.NaN;
    for (String t : targets) {
      double m = Summary.median(summary.values(t, sc -> sc.getJsonObject("rooms").getValue("channels")));
      run = Double.isNaN(run) ? m : Double.isNaN(m) ? run : Math.min(run, m);
    }
    CategoryChart c = new CategoryChartBuilder().width(800).height(500)
        .title("rooms, " + (Double.isNaN(run) ? s.roomsChannels : (int) run) + " channels × " + s.roomsPerChannel
            + ", " + s.roomsRate + " msg/s: CPU per message")
        .xAxisTitle("target").yAxisTitle("CPU µs per message (median of runs)").build();
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setStacked(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    for (String part : List.of("server", "redis")) {
      List<Double> ys = new ArrayList<>();
      for (String t : targets) {
        double m = Summary.median(summary.values(t, sc -> sc.getJsonObject("rooms").getJsonObject("cpu")
            .getValue(part + "MicrosPerMessage")));
        ys.add(Double.isNaN(m) ? 0 : m);
      }
      c.addSeries(part.equals("redis") ? "Redis" : "server", targets, ys);
    }
    return save(c, dir.resolve("rooms-cpu"));
  }

  /** idle-curve.png: RSS (and, where there is one, live heap) per idle connection against the count held. */
  private static Path idleCurve(Summary summary, List<String> targets, Path dir) throws IOException {
    XYChart c = new XYChartBuilder().width(800).height(500)
        .title("idle connections: memory per connection against connections held")
        .xAxisTitle("idle connections").yAxisTitle("KB per connection (median of runs)").build();
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    List<Integer> levels = summary.idleLevels();
    for (String t : targets) {
      series(c, t + ": RSS", levels, n -> Summary.median(summary.values(t,
          sc -> Summary.idleAt(sc, n).getValue("rssPerConnectionBytes"))) / 1024);
      series(c, t + ": live heap", levels, n -> Summary.median(summary.values(t,
          sc -> Summary.idleAt(sc, n).getValue("liveHeapPerConnectionBytes"))) / 1024);
    }
    return save(c, dir.resolve("idle-curve"));
  }

  /** Adds a series of the points of {@code xs} whose value is known; none when no value is. */
  private static void series(XYChart chart, String name, List<Integer> xs,
      java.util.function.IntToDoubleFunction y) {
    List<Double> px = new ArrayList<>();
    List<Double> py = new ArrayList<>();
    for (int x : xs) {
      double v = y.applyAsDouble(x);
      if (!Double.isNaN(v)) {
        px.add((double) x);
        py.add(v);
      }
    }
    if (!px.isEmpty()) {
      chart.addSeries(name, px, py);
    }
  }

  private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path base) throws IOException {
    BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    return Path.of(base + ".png");
  }
}
