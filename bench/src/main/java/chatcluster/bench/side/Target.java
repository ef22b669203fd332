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

  /** Fails with the processes' last log lines if one of them died. */
  public void checkAlive() {
    for (ServerProcess p : processes) {
      if (!p.isAlive()) {
        throw new IllegalStateException(name() + ": " + p.name() + " died: " + p.tail());
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
