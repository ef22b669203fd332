package chatcluster.cluster.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the launcher with its output in a log file of its own. Stopped by its own PID:
 * SIGTERM, then SIGKILL (with any descendants left) after a grace period.
 */
final class ManagedProcess {
  /**
   * Children run in a session of their own ({@code setsid}, where installed): Ctrl-C in a terminal
   * then reaches only the launcher, which stops them in order (nginx, the nodes drained, Redis)
   * instead of all of them dying at once.
   */
  private static final List<String> OWN_SESSION = Executables.fromEnvironment().find("setsid")
      .map(p -> List.of(p.toString())).orElse(List.of());

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path workDir, Path log)
      throws IOException {
    Files.createDirectories(workDir);
    Files.createDirectories(log.getParent());
    List<String> full = new java.util.ArrayList<>(OWN_SESSION);
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    return new ManagedProcess(name, pb.start(), log);
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns whether it stopped within the grace period. */
  boolean stop(Duration grace) {
    if (!process.isAlive()) {
      return true;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    boolean clean;
    try {
      clean = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      if (!clean) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      clean = false;
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    return clean;
  }

  /** The last lines of the log, for an error message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Waits until something accepts connections on {@code host:port}, failing if the process exits first. */
  void awaitListening(String host, int port, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with status " + process.exitValue() + "; its log " + log + " ends:\n"
            + tail(15));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    throw new IOException(name + " did not listen on " + host + ":" + port + " within " + timeout.toSeconds()
        + " s; see " + log);
  }

  /** A port nothing listens on right now on the loopback interface. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
