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
 * clients' p99 per second around the kill.
 */
public final class Charts {
  private Charts() {}

  /** Writes cpu-per-delivery.png, latency.png, idle-rss.png (and storm.png) into {@code dir}; returns their paths. */
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
    return out;
  }

  private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path base) throws IOException {
    BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    return Path.of(base + ".png");
  }
}
