package chatcluster.bench.side;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process a target starts (a node, a Node.js server, nginx, redis-server): its output goes to a
 * log file in the run's directory; it is stopped by its own PID (SIGTERM, then SIGKILL after a bounded
 * wait), never by name. {@code redis} marks the Redis of a target, whose CPU is reported apart.
 */
public final class ServerProcess {
  private final String name;
  private final Process process;
  private final Path log;
  private final boolean redis;
  private volatile boolean killed;

  private ServerProcess(String name, Process process, Path log, boolean redis) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.redis = redis;
  }

  /** Starts {@code command} in {@code dir} with extra environment, output appended to dir/name.log. */
  public static ServerProcess start(String name, List<String> command, Path dir, Map<String, String> env,
      boolean redis) throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return new ServerProcess(name, pb.start(), log, redis);
  }

  /** A redis-server of the target's own on a free loopback port, keeping nothing on disk. */
  public static ServerProcess startRedis(String name, Path dir, int port) throws IOException {
    ServerProcess p = start(name, List.of(require("redis-server", "apt-get install redis-server"), "--port",
        String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
        "--protected-mode", "no", "--maxclients", "10000"), dir, Map.of(), true);
    p.awaitPort(port, 20);
    return p;
  }

  /** The absolute path of an executable on the PATH, or a clear error saying how to install it. */
  public static String require(String executable, String howToInstall) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(File.pathSeparator)) {
      File f = new File(d, executable);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
      File f = new File(d, executable);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    throw new IllegalStateException(executable + " is not installed (" + howToInstall + ")");
  }

  /** A port free on the loopback interface right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /** Waits until something accepts TCP connections on 127.0.0.1:port; fails if the process exits. */
  public void awaitPort(int port, int timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with status " + process.exitValue() + ": " + tail());
        }
        sleep(50);
      }
    }
    throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeoutSeconds + " s: "
        + tail());
  }

  /** The last lines of the process's log, for error messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRedis() {
    return redis;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL at once (a crash), then waits up to 10 s for the exit. */
  public void kill() {
    killed = true;
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #kill} ended it. */
  public boolean killed() {
    return killed;
  }

  /** SIGTERM, up to 15 s to exit, then SIGKILL. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
