package chatcluster.node.lb;

import chatcluster.cluster.launcher.ClusterStatus;
import chatcluster.cluster.launcher.ControlClient;
import chatcluster.node.testing.NodeProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The local launcher run as a user runs it, {@code java -jar chatcluster-cluster-manager.jar up ...},
 * with a state directory of the test's own; its CLI commands run the same way. Stopped by its PID.
 */
final class LauncherProcess implements AutoCloseable {
  private static final Duration UP_TIMEOUT = Duration.ofSeconds(150);

  private final Process process;
  private final Path stateDir;
  private final Path out;
  private final Path err;

  private LauncherProcess(Process process, Path stateDir, Path out, Path err) {
    this.process = process;
    this.stateDir = stateDir;
    this.out = out;
    this.err = err;
  }

  /** The launcher jar, built by the cluster-manager module before this one. */
  static Path jar() {
    Path repo = NodeProcess.jar().toAbsolutePath().getParent().getParent().getParent();
    Path jar = repo.resolve(Path.of("cluster-manager", "target", "chatcluster-cluster-manager.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("launcher jar not built: " + jar + " (run mvn package first)");
    }
    return jar;
  }

  /** Runs {@code up} with these flags (plus the state directory and node jar) and waits until it is up. */
  static LauncherProcess up(Path stateDir, Map<String, String> env, String... flags) throws Exception {
    List<String> cmd = command("up", stateDir);
    cmd.addAll(List.of("--node-jar", NodeProcess.jar().toAbsolutePath().toString()));
    cmd.addAll(List.of(flags));
    Path out = Files.createTempFile("launcher-", ".out");
    Path err = Files.createTempFile("launcher-", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    LauncherProcess launcher = new LauncherProcess(pb.start(), stateDir, out, err);
    launcher.awaitUp();
    return launcher;
  }

  /** Runs a CLI command ({@code scale}, {@code status}, ...) against this launcher; returns its stdout. */
  String cli(String command, String... flags) throws Exception {
    List<String> cmd = command(command, stateDir);
    cmd.addAll(List.of(flags));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish:\n" + output);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + output + "\nlauncher:\n" + output());
    }
    return output;
  }

  private static List<String> command(String command, Path stateDir) {
    return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar().toString(), command, "--state-dir", stateDir.toString()));
  }

  private void awaitUp() throws Exception {
    long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("launcher exited with " + process.exitValue() + ":\n" + output() + nodeLogs());
      }
      try {
        ControlClient.find(stateDir).status();
        return;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new AssertionError("launcher not up within " + UP_TIMEOUT + ":\n" + output() + nodeLogs());
  }

  ClusterStatus status() throws IOException {
    return ControlClient.find(stateDir).status();
  }

  Process process() {
    return process;
  }

  Path stateDir() {
    return stateDir;
  }

  /** Everything the launcher printed: stdout (the status table), then stderr (its log). */
  String output() {
    try {
      return Files.readString(out) + Files.readString(err);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  String stdout() throws IOException {
    return Files.readString(out);
  }

  private String nodeLogs() {
    try (Stream<Path> logs = Files.list(stateDir.resolve("logs"))) {
      return logs.map(p -> {
        try {
          String text = Files.readString(p);
          return "\n--- " + p.getFileName() + "\n" + text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
          return "";
        }
      }).collect(Collectors.joining());
    } catch (IOException e) {
      return "";
    }
  }

  /** {@code nginx -s reload} against the launcher's nginx, as an operator would type it. */
  void nginxReload() throws Exception {
    ClusterStatus s = status();
    Path prefix = Path.of(s.nginxPrefix());
    Process p = new ProcessBuilder(nginx().toString(), "-p", prefix + "/", "-c", prefix.resolve("nginx.conf").toString(),
        "-e", Path.of(s.logDir()).resolve("nginx-error.log").toString(), "-s", "reload")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("nginx -s reload failed: " + output);
    }
  }

  static Path nginx() {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
    return dirs.stream().map(d -> Path.of(d, "nginx")).filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IllegalStateException("nginx is not installed: run ./run-tests.sh, which installs it"));
  }

  /** SIGTERM to the launcher; its exit status, or a failure after {@code timeout}. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("launcher did not exit within " + timeout + " of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
