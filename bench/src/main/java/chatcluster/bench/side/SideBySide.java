package chatcluster.bench.side;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side benchmark: the same scenarios against ChatCluster, Socket.IO and nchan, each
 * started and stopped by the bench with a Redis of its own, in one run (and, when asked, a bare
 * Node {@code ws} relay as a floor). Targets are rotated between
 * repetitions (repetition r starts with target r mod n) so that none always runs first or last on a
 * machine that warms up. Per target and repetition: a fresh start, then idle (first, so its
 * "before" is an empty server), connect over ws, fanout at each rate and saturated, channels,
 * xnode, rooms, nodes (which starts a target per count of processes); then a restart with TLS for
 * connect over wss; then storm (on a target of its own). Writes {@code run-<r>-<target>.json} per run,
 * {@code summary.md} and PNG charts into the output directory.
 *
 * <pre>java -cp bench/target/chatcluster-bench.jar chatcluster.bench.side.SideBySide [--quick] [--runs 3]
 *     [--targets chatcluster,socketio,nchan[,ws]]
 *     [--scenarios idle,connect,fanout,max,channels,xnode (the default) and rooms,nodes,storm]
 *     [--out bench/results/&lt;timestamp&gt;] [--root .] (more in {@link Settings#apply})</pre>
 *
 * <p>With {@code --report DIR} nothing is measured: summary.md and the charts of a finished run in DIR
 * are written again from its run-*.json files (give the run's flags too).
 */
public final class SideBySide {
  /** Scenarios that start targets of their own. */
  private static final List<String> OWN_TARGETS = List.of("storm", "nodes");
  private static volatile Target current;

  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Settings s = (quick ? Settings.quick() : Settings.full()).apply(args);
    Path root = Path.of(flag(args, "--root", ".")).toAbsolutePath().normalize();
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    String report = flag(args, "--report", null);
    Path out = Path.of(report != null ? report : flag(args, "--out", root.resolve("bench/results").resolve(stamp)
        .toString()));
    Path summary = report != null ? report(s, out) : run(s, root, out);
    System.out.println("results: " + out.toAbsolutePath());
    System.out.println(Files.readString(summary));
    System.exit(0);
  }

  /** Runs everything {@code s} asks for; returns the path of summary.md in {@code out}. */
  public static Path run(Settings s, Path root, Path out) throws Exception {
    Files.createDirectories(out);
    Thread stopper = new Thread(() -> {
      Target t = current;
      if (t != null) {
        t.stop(); // interrupted (Ctrl-C, SIGTERM): the servers this run started go too
      }
    });
    Runtime.getRuntime().addShutdownHook(stopper);
    Path work = Files.createTempDirectory("chatcluster-bench-");
    work.toFile().setExecutable(true, false);
    work.toFile().setReadable(true, false);
    JsonObject machine = machine(s);
    List<Integer> idle = new ArrayList<>();
    long fdLimit = ProcStats.openFilesLimit();
    for (int asked : s.idleConnections) {
      int n = asked;
      if (n > fdLimit - 2000) {
        n = (int) Math.max(100, fdLimit - 2000);
        if (s.scenarios.contains("idle")) {
          System.out.printf("idle: %d connections asked, %d open files allowed (ulimit -n): running %d%n",
              asked, fdLimit, n);
        }
      }
      if (!idle.contains(n)) {
        idle.add(n);
      }
    }
    machine.put("idleConnectionsRun", new JsonArray(new ArrayList<>(idle)));
    System.out.println("machine: " + machine.getString("description"));
    Target.Tls tls = s.scenarios.contains("connect") || s.scenarios.contains("connect-wss")
        ? selfSignedCertificate(work, s.tlsKey) : null;
    List<JsonObject> runs = new ArrayList<>();
    try (Generator gen = new Generator(s.generatorLoops)) {
      for (int r = 0; r < s.runs; r++) {
        for (int k = 0; k < s.targets.size(); k++) {
          String name = s.targets.get((r + k) % s.targets.size());
          System.out.printf("run %d/%d, target %s (position %d)%n", r + 1, s.runs, name, k + 1);
          JsonObject run = runTarget(target(name, s, root), gen, s, idle, tls, work.resolve("r" + r + "-" + name),
              "r" + r + name.charAt(0) + System.nanoTime() % 100000);
          run.put("repetition", r + 1).put("position", k + 1).put("machine", machine).put("settings", s.toJson());
          Files.writeString(out.resolve("run-" + (r + 1) + "-" + name + ".json"), run.encodePrettily());
          runs.add(run);
        }
      }
    }
    Runtime.getRuntime().removeShutdownHook(stopper);
    Summary summary = new Summary(runs, s.targets);
    Path md = out.resolve("summary.md");
    Files.writeString(md, summary.markdown(s, machine));
    Charts.write(summary, s, s.targets, out);
    return md;
  }

  /**
   * Writes summary.md and the charts again from the run-*.json files in {@code dir} (a finished run's
   * directory), for the settings given on the command line (those of the run); measures nothing.
   */
  public static Path report(Settings s, Path dir) throws IOException {
    List<JsonObject> runs = new ArrayList<>();
    JsonObject machine = null;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().matches("run-[0-9]+-.*\\.json")).sorted().toList()) {
        JsonObject run = new JsonObject(Files.readString(f));
        runs.add(run);
        machine = machine == null ? run.getJsonObject("machine") : machine;
      }
    }
    if (machine == null) {
      throw new IllegalArgumentException("no run-*.json in " + dir);
    }
    Summary summary = new Summary(runs, s.targets);
    Path md = dir.resolve("summary.md");
    Files.writeString(md, summary.markdown(s, machine));
    Charts.write(summary, s, s.targets, dir);
    return md;
  }

  private static JsonObject runTarget(Target target, Generator gen, Settings s, List<Integer> idle, Target.Tls tls,
      Path dir,
      String tag) throws IOException {
    Files.createDirectories(dir);
    dir.toFile().setExecutable(true, false);
    dir.toFile().setReadable(true, false);
    JsonObject scenarios = new JsonObject();
    JsonArray errors = new JsonArray();
    current = target;
    JsonObject run = new JsonObject().put("target", target.name()).put("startedAt", Instant.now().toString())
        .put("loadAverageBefore", loadAverage())
        .put("scenarios", scenarios).put("errors", errors);
    // storm and nodes start targets of their own: alone, they need no run of the target itself.
    boolean started = s.scenarios.stream().anyMatch(sc -> !OWN_TARGETS.contains(sc));
    try {
      if (started) {
        target.start(dir, null);
        ServerProcess.sleep(1000);
      }
      ConnectionScenarios conn = new ConnectionScenarios(target, gen, s, tag);
      FanoutScenarios fan = new FanoutScenarios(target, gen, s, tag);
      attempt(errors, "idle", s, () -> scenarios.put("idle", conn.idle(idle)));
      attempt(errors, s.scenarios.contains("connect-ws") ? "connect-ws" : "connect", s,
          () -> scenarios.put("connectWs", conn.connect(false)));
      boolean rates = s.scenarios.contains("fanout");
      boolean max = s.scenarios.contains("max");
      if (rates || max) {
        attempt(errors, rates ? "fanout" : "max", s, () -> scenarios.put("fanout", fan.fanout(rates, max)));
      }
      attempt(errors, "channels", s, () -> scenarios.put("channels", fan.channels()));
      attempt(errors, "xnode", s, () -> scenarios.put("xnode", fan.xnode()));
      attempt(errors, "rooms", s, () -> scenarios.put("rooms", fan.rooms()));
      // nodes measures the count the run's target has on it (when started) and starts the others.
      attempt(errors, "nodes", s, () -> scenarios.put("nodes", fan.nodes(started ? target : null,
          dir.resolve("nodes"))));
    } catch (Exception e) {
      errors.add("start: " + e.getMessage());
      System.out.println("  " + target.name() + " failed: " + e.getMessage());
    } finally {
      target.stop();
    }
    if (tls != null && !(target instanceof WsRelayTarget)) {
      try {
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        tlsDir.toFile().setExecutable(true, false);
        tlsDir.toFile().setReadable(true, false);
        target.start(tlsDir, tls);
        ServerProcess.sleep(1000);
        attempt(errors, s.scenarios.contains("connect-wss") ? "connect-wss" : "connect", s, () -> scenarios.put("connectWss",
            new ConnectionScenarios(target, gen, s, tag).connect(true)));
      } catch (Exception e) {
        errors.add("start with TLS: " + e.getMessage());
      } finally {
        target.stop();
      }
    }
    // storm starts a target of its own (3 processes, recoverable channels) and kills one of them.
    attempt(errors, "storm", s, () -> scenarios.put("storm", new StormScenario(target, gen, s, tag)
        .run(dir.resolve("storm"))));
    current = null;
    return run.put("loadAverageAfter", loadAverage());
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void attempt(JsonArray errors, String scenario, Settings s, Runnable r) {
    if (!s.scenarios.contains(scenario)) {
      return;
    }
    try {
      r.run();
    } catch (RuntimeException e) {
      errors.add(scenario + ": " + e.getMessage());
      System.out.println("  " + scenario + " failed: " + e.getMessage());
    }
  }

  static Target target(String name, Settings s, Path root) {
    Path nodeJar = Path.of(System.getProperty("chatcluster.nodeJar",
        root.resolve("node/target/chatcluster-node.jar").toString()));
    Target t = switch (name) {
      case "chatcluster" -> new ChatClusterTarget(nodeJar, s.processes, s.eventLoops, s.nodeHeap, true);
      // The same nodes with tcpNoDelay off: small frames wait in the kernel while earlier ones are
      // unacknowledged (Nagle), as nchan's WebSocket connections do.
      case "chatcluster-nagle" -> new ChatClusterTarget(nodeJar, s.processes, s.eventLoops, s.nodeHeap, false);
      // Subscribers that take several frames per WebSocket message (ChatClusterClient's default), with
      // the nodes' default writeDelay (0), or N ms with chatcluster-v2-delayN (e.g. chatcluster-v2-delay5).
      case "chatcluster-v2" -> new ChatClusterTarget(nodeJar, s.processes, s.eventLoops, s.nodeHeap, true, true, 0);
      case "socketio" -> new SocketIoTarget(root.resolve("bench/peers/socketio"), s.processes);
      case "nchan" -> new NchanTarget(root.resolve("bench/peers/nchan/nginx.conf.template"));
      case "ws" -> new WsRelayTarget(root.resolve("bench/peers/socketio"));
      default -> {
        if (name.matches("chatcluster-v2-delay[0-9]{1,4}")) {
          yield new ChatClusterTarget(nodeJar, s.processes, s.eventLoops, s.nodeHeap, true, true,
              Integer.parseInt(name.substring("chatcluster-v2-delay".length())));
        }
        throw new IllegalArgumentException("unknown target " + name
            + " (chatcluster, chatcluster-nagle, chatcluster-v2, chatcluster-v2-delay<ms>, socketio, nchan, ws)");
      }
    };
    if (t instanceof ChatClusterTarget c && !s.nodeJavaOpts.isBlank()) {
      c.javaOptions(List.of(s.nodeJavaOpts.trim().split("\\s+")));
    }
    return t;
  }

  /** A certificate for 127.0.0.1 and its RSA 2048 key, made with openssl in {@code dir}. */
  static Target.Tls selfSignedCertificate(Path dir) throws Exception {
    return selfSignedCertificate(dir, "rsa");
  }

  /** A certificate for 127.0.0.1 and its key ({@code rsa}: RSA 2048; {@code ecdsa}: P-256), made with openssl in {@code dir}. */
  static Target.Tls selfSignedCertificate(Path dir, String keyType) throws Exception {
    Path tlsDir = Files.createDirectories(dir.resolve("tls-cert"));
    tlsDir.toFile().setExecutable(true, false);
    Path cert = tlsDir.resolve("cert.pem");
    Path key = tlsDir.resolve("key.pem");
    Process p = new ProcessBuilder(ServerProcess.require("openssl", "apt-get install openssl"), "req", "-x509",
        "-newkey", keyType.equals("ecdsa") ? "ec" : "rsa:2048",
        "-pkeyopt", keyType.equals("ecdsa") ? "ec_paramgen_curve:prime256v1" : "rsa_keygen_bits:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj",
        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl could not make a self-signed certificate");
    }
    key.toFile().setReadable(true, false); // nginx workers read it as an unprivileged user
    cert.toFile().setReadable(true, false);
    return new Target.Tls(cert, key);
  }

  static JsonObject machine(Settings s) throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    int cores = Runtime.getRuntime().availableProcessors();
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    return new JsonObject().put("cores", cores).put("cpu", cpu).put("loadAverageAtStart", load)
        .put("java", System.getProperty("java.version")).put("description", cores + " cores (" + cpu + "), Java "
            + System.getProperty("java.version") + ", generator and servers on the same cores, generator with "
            + s.generatorLoops + " event loops; load average at start " + load);
  }

  private static String flag(String[] args, String name, String def) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
