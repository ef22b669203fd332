package chatcluster.cluster.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Redis the nodes share: a private {@code redis-server} on a free loopback port, without
 * persistence, or the external one named by {@code REDIS_URL} (then nothing is started).
 */
final class RedisServer {
  private final String url;
  private final ManagedProcess process;

  private RedisServer(String url, ManagedProcess process) {
    this.url = url;
    this.process = process;
  }

  static RedisServer external(String url) {
    return new RedisServer(url, null);
  }

  static RedisServer start(Path binary, Path stateDir, Path logDir) throws IOException, InterruptedException {
    int port = ManagedProcess.freePort();
    Path dir = stateDir.resolve("redis");
    ManagedProcess p = ManagedProcess.start("redis-server", List.of(binary.toString(), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no"), Map.of(), dir,
        logDir.resolve("redis.log"));
    p.awaitListening("127.0.0.1", port, Duration.ofSeconds(20));
    return new RedisServer("redis://127.0.0.1:" + port, p);
  }

  String url() {
    return url;
  }

  long pid() {
    return process == null ? 0 : process.pid();
  }

  void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(10));
    }
  }
}
