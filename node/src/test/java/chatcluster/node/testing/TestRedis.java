package chatcluster.node.testing;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis for tests: the one named by {@code REDIS_URL}, else a {@code redis-server} process on a
 * free loopback port, else a Testcontainers Redis where a Docker engine exists. Processes are
 * stopped by their PID.
 */
public final class TestRedis implements AutoCloseable {
  private final String host;
  private final int port;
  private final Path dir;
  private final boolean persistent;
  private final List<String> extraArgs = new ArrayList<>();
  private Process process;
  private AutoCloseable container;

  private TestRedis(String host, int port, Path dir, boolean persistent) {
    this.host = host;
    this.port = port;
    this.dir = dir;
    this.persistent = persistent;
  }

  /** The shared Redis of the test run. */
  public static TestRedis startShared() throws Exception {
    String url = System.getenv("REDIS_URL");
    if (url != null && !url.isBlank()) {
      java.net.URI u = java.net.URI.create(url.split(",")[0].trim());
      return new TestRedis(u.getHost(), u.getPort() > 0 ? u.getPort() : 6379, null, false);
    }
    if (redisServerBinary() != null) {
      return startProcess(false);
    }
    return startContainer();
  }

  /**
   * A Redis of this test's own, as a process, with an append-only file so that it can be stopped
   * and started again with its data: for outage tests.
   */
  public static TestRedis startDedicated(String... extraArgs) throws Exception {
    if (redisServerBinary() == null) {
      throw new IllegalStateException("redis-server is not installed: run ./run-tests.sh, which installs it");
    }
    return startProcess(true, extraArgs);
  }

  /** A redis-server of its own that keeps nothing on disk: a restart loses every key. */
  public static TestRedis startDedicatedWithoutPersistence() throws Exception {
    if (redisServerBinary() == null) {
      throw new IllegalStateException("redis-server is not installed: run ./run-tests.sh, which installs it");
    }
    return startProcess(false);
  }

  static String redisServerBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  private static TestRedis startProcess(boolean persistent, String... extraArgs) throws Exception {
    TestRedis r = new TestRedis("127.0.0.1", NodeProcess.freePort(), Files.createTempDirectory("test-redis-"),
        persistent);
    r.extraArgs.addAll(List.of(extraArgs));
    r.start();
    return r;
  }

  @SuppressWarnings("resource")
  private static TestRedis startContainer() {
    org.testcontainers.containers.GenericContainer<?> c =
        new org.testcontainers.containers.GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
    c.start();
    TestRedis r = new TestRedis(c.getHost(), c.getMappedPort(6379), null, false);
    r.container = c;
    return r;
  }

  /** Starts (or restarts) the redis-server process on the same port and directory. */
  public void start() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(redisServerBinary(), "--port", String.valueOf(port), "--bind", host,
        "--dir", dir.toString(), "--save", "", "--protected-mode", "no"));
    if (persistent) {
      cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      cmd.addAll(List.of("--appendonly", "no"));
    }
    cmd.addAll(extraArgs);
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(host, port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not listen on " + port);
  }

  /** Stops the process hard (SIGKILL): what a crash looks like. Its append-only file keeps the data. */
  public void kill() throws Exception {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Sends {@code signal} (STOP, CONT) to the redis-server process: a Redis that stalls and resumes. */
  public void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " failed");
    }
  }

  /** Whether the redis-server process runs (false after {@link #kill()}). */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public String url() {
    return "redis://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (container != null) {
      container.close();
    }
  }
}
