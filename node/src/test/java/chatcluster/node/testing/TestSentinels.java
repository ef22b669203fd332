package chatcluster.node.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Sentinel-watched Redis on loopback: a master, one replica and three Sentinels (redis-server in
 * sentinel mode), each a process of this test's own, stopped by PID. Failure detection is quick (1 s
 * down-after) so that failover tests stay short.
 */
public final class TestSentinels implements AutoCloseable {
  public static final String MASTER_NAME = "chatcluster-test";

  private final TestRedis master;
  private final TestRedis replica;
  private final List<Process> sentinels = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();

  private TestSentinels(TestRedis master, TestRedis replica) {
    this.master = master;
    this.replica = replica;
  }

  public static TestSentinels start() throws Exception {
    TestRedis master = TestRedis.startDedicated();
    TestRedis replica = TestRedis.startDedicated("--replicaof", "127.0.0.1", String.valueOf(master.port()));
    TestSentinels group = new TestSentinels(master, replica);
    try {
      for (int i = 0; i < 3; i++) {
        group.startSentinel(i);
      }
      group.awaitReplicaInSync();
    } catch (Exception e) {
      group.close();
      throw e;
    }
    return group;
  }

  private void startSentinel(int i) throws Exception {
    int port = NodeProcess.freePort();
    Path dir = Files.createTempDirectory("test-sentinel-");
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, String.join("\n",
        "port " + port,
        "bind 127.0.0.1",
        "dir " + dir,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
        "sentinel failover-timeout " + MASTER_NAME + " 5000",
        "sentinel parallel-syncs " + MASTER_NAME + " 1",
        ""));
    Process p = new ProcessBuilder(TestRedis.redisServerBinary(), conf.toString(), "--sentinel")
        .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
    sentinels.add(p);
    sentinelPorts.add(port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    throw new IllegalStateException("sentinel " + i + " did not listen on " + port);
  }

  /** {@code REDIS_SENTINELS} for the nodes. */
  public String sentinelList() {
    return String.join(",", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList());
  }

  public TestRedis master() {
    return master;
  }

  public TestRedis replica() {
    return replica;
  }

  /** The port of the master the Sentinels currently name (asked with redis-cli). */
  public int currentMasterPort() throws Exception {
    Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(sentinelPorts.get(0)), "SENTINEL",
        "get-master-addr-by-name", MASTER_NAME).redirectErrorStream(true).start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor(5, TimeUnit.SECONDS);
    return lines.size() >= 2 ? Integer.parseInt(lines.get(1).trim()) : -1;
  }

  /** Waits until the replica has everything the master has written (WAIT on the master). */
  public void awaitReplicaInSync() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(master.port()), "WAIT", "1", "1000")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      if ("1".equals(out)) {
        return;
      }
    }
    throw new IllegalStateException("the replica never caught up with the master");
  }

  @Override
  public void close() throws Exception {
    for (Process p : sentinels) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    replica.close();
    master.close();
  }
}
