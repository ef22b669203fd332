package chatcluster.bench.side;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server the benchmark compares: how to start and stop it (each with a Redis of its own) and how
 * its users subscribe and publish. Subscribers and publishers are placed on one of its
 * {@link #processCount()} entry points (a node, a Node.js process), so that scenarios can spread
 * them evenly or keep them apart.
 */
public abstract class Target {
  protected final List<ServerProcess> processes = new ArrayList<>();

  /** The name in results and charts: chatcluster, socketio, nchan. */
  public abstract String name();

  /** Starts Redis and the server processes in {@code dir}; with {@code tls}, serves wss only. */
  public abstract void start(Path dir, Tls tls) throws Exception;

  /** Entry points subscribers and publishers can be placed on. */
  public abstract int processCount();

  /** Whether entry points are separate processes (false for nginx, whose workers share one port). */
  public boolean separateProcesses() {
    return true;
  }

  /** Connects {@code sub} to entry point {@code process} and subscribes it; completes once acknowledged. */
  public abstract Future<Void> subscribe(Generator gen, int process, String channel, Subscriber sub);

  /** A publisher on entry point {@code process} allowed to publish on {@code channels}. */
  public abstract Future<Publisher> publisher(Generator gen, int process, List<String> channels, Tally echoes);

  /**
   * A new target of this kind with {@code processes} entry points whose channels named
   * {@code channelPrefix}… keep their messages so that a client that reconnects to any entry point
   * resumes exactly where it left off (ChatCluster: persistent channels keeping {@code history}
   * messages; Socket.IO: connection state recovery), or null where the target has no such thing.
   */
  public Target recoverable(int processes, String channelPrefix, int history) {
    return null;
  }

  /**
   * A new, not yet started target of this kind and configuration with {@code processes} entry points
   * on one Redis, or null where the count is fixed (nginx's workers share one port; the bare relay is
   * one process).
   */
  public Target withProcesses(int processes) {
    return null;
  }

  /**
   * Time the server processes spent in garbage-collection pauses since they started, in seconds, or
   * -1 where the server reports none.
   */
  public double gcPauseSeconds() {
    return -1;
  }

  /**
   * Connects {@code client} to entry point {@code process} and subscribes it to its channel, from its
   * last position when it has one; completes once the server answered the subscribe (then the client
   * hears of the answer, its messages and the connection's end), fails if it did not. Only on a
   * target from {@link #recoverable}.
   */
  public Future<Void> connectRecovering(Generator gen, int process, StormClient client) {
    return Future.failedFuture(name() + " has no recovery");
  }

  /** Ends entry point {@code process} at once with SIGKILL, as a crash would; returns its PID. */
  public long kill(int process) {
    int seen = 0;
    for (ServerProcess p : processes) {
      if (!p.isRedis() && seen++ == process) {
        p.kill();
        return p.pid();
      }
    }
    throw new IllegalArgumentException("no process " + process);
  }

  /** PIDs of the server's own processes (not Redis), resolved after start. */
  public List<Long> serverPids() {
    List<Long> pids = new ArrayList<>();
    for (ServerProcess p : processes) {
      if (!p.isRedis()) {
        pids.add(p.pid());
      }
    }
    return pids;
  }

  /** PIDs of the target's Redis. */
  public List<Long> redisPids() {
    List<Long> pids = new ArrayList<>();
    for (ServerProcess p : processes) {
      if (p.isRedis()) {
        pids.add(p.pid());
      }
    }
    return pids;
  }

  /**
   * Live heap of the server processes after a full GC, in bytes, or -1 where the server has no such
   * thing to ask (not a JVM).
   */
  public long liveHeapBytes() {
    return -1;
  }

  /** Fails with the processes' last log lines if one of them died (other than by {@link #kill}). */
  public void checkAlive() {
    for (ServerProcess p : processes) {
      if (!p.isAlive() && !p.killed()) {
        throw new IllegalStateException(name() + ": " + p.name() + " died: " + p.tail());
      }
    }
  }

  /**
   * Starts this target in {@code dir} (created, readable by nginx's unprivileged workers), gives it a
   * second, runs {@code body} and stops the target whatever happens, also when the bench is
   * interrupted meanwhile (a shutdown hook). For scenarios that start targets of their own.
   */
  public <T> T runStarted(Path dir, java.util.function.Supplier<T> body) {
    Thread stopper = new Thread(this::stop);
    try {
      java.nio.file.Files.createDirectories(dir);
      dir.toFile().setExecutable(true, false);
      dir.toFile().setReadable(true, false);
      Runtime.getRuntime().addShutdownHook(stopper);
      start(dir, null);
      ServerProcess.sleep(1000);
      return body.get();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("start: " + e.getMessage(), e);
    } finally {
      stop();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /** Stops every process, the server's before its Redis. */
  public void stop() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop();
    }
    processes.clear();
  }

  /** A self-signed certificate and its key, PEM files. */
  public record Tls(Path cert, Path key) {}
}
