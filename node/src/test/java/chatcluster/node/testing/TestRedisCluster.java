package chatcluster.node.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster on loopback: {@code masters} masters, each with {@code replicasPerMaster}
 * replicas, every one a redis-server process of this test's own, joined with
 * {@code redis-cli --cluster create}. Node timeout 1 s, so that a failover takes seconds.
 */
public final class TestRedisCluster implements AutoCloseable {
  private final List<TestRedis> servers = new ArrayList<>();

  private TestRedisCluster() {}

  public static TestRedisCluster start(int masters, int replicasPerMaster) throws Exception {
    TestRedisCluster cluster = new TestRedisCluster();
    try {
      int total = masters * (1 + replicasPerMaster);
      for (int i = 0; i < total; i++) {
        cluster.servers.add(startServer());
      }
      List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (TestRedis r : cluster.servers) {
        cmd.add("127.0.0.1:" + r.port());
      }
      cmd.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
      Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(create.getInputStream().readAllBytes());
      if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + out);
      }
      cluster.awaitState("ok");
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** A cluster-enabled server; a port taken between choosing and binding it (its bus port too) is retried. */
  private static TestRedis startServer() throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        // Full coverage off: the other masters serve their slots while one is down (docs/resilience.md).
        return TestRedis.startDedicated("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no");
      } catch (IllegalStateException portTaken) {
        if (attempt == 3) {
          throw portTaken;
        }
      }
    }
  }

  /** Waits until every live server reports {@code cluster_state:<state>}. */
  public void awaitState(String state) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (TestRedis r : servers) {
        if (r.isAlive() && !cli(r.port(), "CLUSTER", "INFO").contains("cluster_state:" + state)) {
          all = false;
        }
      }
      if (all) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("the Redis Cluster never reached state " + state);
  }

  /** Waits until every live replica's link to its master is up. */
  public void awaitReplicasInSync() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (TestRedis r : servers) {
        if (r.isAlive()) {
          String replication = cli(r.port(), "INFO", "replication");
          if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
            all = false;
          }
        }
      }
      if (all) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("the replicas did not catch up within 60 s");
  }

  /** Whether {@code server} (a master) serves the hash slot of {@code key}. */
  public boolean serves(TestRedis server, String key) throws Exception {
    int slot = slotOf(key);
    for (String line : cli(server.port(), "CLUSTER", "NODES").lines().toList()) {
      if (line.contains("myself")) {
        String[] fields = line.split(" ");
        for (int i = 8; i < fields.length; i++) {
          String[] range = fields[i].split("-");
          if (range[0].startsWith("[")) {
            continue; // a slot being migrated
          }
          int first = Integer.parseInt(range[0]);
          int last = range.length > 1 ? Integer.parseInt(range[1]) : first;
          if (slot >= first && slot <= last) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** {@code REDIS_CLUSTER_NODES} for the nodes: every server. */
  public String nodeList() {
    return String.join(",", servers.stream().map(r -> "127.0.0.1:" + r.port()).toList());
  }

  public List<TestRedis> servers() {
    return servers;
  }

  /** The servers that are masters now. */
  public List<TestRedis> masters() throws Exception {
    List<TestRedis> masters = new ArrayList<>();
    for (TestRedis r : servers) {
      if (r.isAlive() && cli(r.port(), "ROLE").startsWith("master")) {
        masters.add(r);
      }
    }
    return masters;
  }

  /**
   * Kills {@code master} and waits until its replica is a master. Redis promotes it by itself within
   * seconds; on a loaded machine its election has been seen to stall, so after {@code patience} the
   * replica is told to take over, as an operator would (CLUSTER FAILOVER TAKEOVER). Returns the
   * System.nanoTime of the promotion.
   */
  public long killAndAwaitPromotion(TestRedis master, java.time.Duration patience) throws Exception {
    String id = cli(master.port(), "CLUSTER", "MYID").trim();
    TestRedis replica = null;
    for (TestRedis r : servers) {
      if (r != master && cli(r.port(), "CLUSTER", "NODES").lines().anyMatch(l -> l.contains("myself,slave " + id))) {
        replica = r;
      }
    }
    if (replica == null) {
      throw new IllegalStateException("no replica of " + id);
    }
    master.kill();
    long deadline = System.nanoTime() + patience.toNanos();
    boolean forced = false;
    while (true) {
      if (cli(replica.port(), "ROLE").startsWith("master")) {
        return System.nanoTime();
      }
      if (!forced && System.nanoTime() > deadline) {
        cli(replica.port(), "CLUSTER", "FAILOVER", "TAKEOVER");
        forced = true;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /**
   * Has a replica of {@code master} take its place while {@code master} stays up, once the replica's
   * link to it is up: {@code force} is CLUSTER FAILOVER TAKEOVER (no agreement, no wait for the replica
   * to catch up: writes the old master takes until it learns it was replaced are lost), else the
   * manual failover (the master pauses its clients until the replica has caught up). Waits until the
   * replica says it is a master and the old one a replica; returns the System.nanoTime when it was asked.
   */
  public long failOver(TestRedis master, boolean force, java.time.Duration patience) throws Exception {
    String id = cli(master.port(), "CLUSTER", "MYID").trim();
    TestRedis replica = null;
    for (TestRedis r : servers) {
      if (r != master && r.isAlive()
          && cli(r.port(), "CLUSTER", "NODES").lines().anyMatch(l -> l.contains("myself,slave " + id))) {
        replica = r;
      }
    }
    if (replica == null) {
      throw new IllegalStateException("no replica of " + id);
    }
    long synced = System.nanoTime() + patience.toNanos();
    while (!cli(replica.port(), "INFO", "replication").contains("master_link_status:up")) {
      if (System.nanoTime() > synced) {
        throw new IllegalStateException("replica of " + id + " not in sync within " + patience);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    long asked = System.nanoTime();
    if (force) {
      cli(replica.port(), "CLUSTER", "FAILOVER", "TAKEOVER");
    } else {
      cli(replica.port(), "CLUSTER", "FAILOVER");
    }
    long deadline = asked + patience.toNanos();
    while (!(cli(replica.port(), "ROLE").startsWith("master") && cli(master.port(), "ROLE").startsWith("slave"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no takeover of " + id + " within " + patience);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return asked;
  }

  /**
   * Moves hash slot {@code slot} from master {@code from} to master {@code to} as {@code redis-cli
   * --cluster reshard} does, under traffic: importing/migrating marks, its keys moved with MIGRATE
   * until none is left, then every master told the new owner. Returns the System.nanoTime when it began.
   */
  public long migrateSlot(int slot, TestRedis from, TestRedis to) throws Exception {
    String fromId = cli(from.port(), "CLUSTER", "MYID").trim();
    String toId = cli(to.port(), "CLUSTER", "MYID").trim();
    long began = System.nanoTime();
    cli(to.port(), "CLUSTER", "SETSLOT", String.valueOf(slot), "IMPORTING", fromId);
    cli(from.port(), "CLUSTER", "SETSLOT", String.valueOf(slot), "MIGRATING", toId);
    for (int pass = 0; pass < 100; pass++) {
      List<String> keys = cli(from.port(), "CLUSTER", "GETKEYSINSLOT", String.valueOf(slot), "1000").lines()
          .map(String::trim).filter(k -> !k.isEmpty()).toList();
      if (keys.isEmpty()) {
        break;
      }
      List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", String.valueOf(to.port()), "", "0",
          "5000", "KEYS"));
      migrate.addAll(keys);
      String out = cli(from.port(), migrate.toArray(String[]::new));
      if (!out.contains("OK") && !out.contains("NOKEY")) {
        throw new IllegalStateException("MIGRATE failed: " + out);
      }
    }
    cli(to.port(), "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", toId);
    cli(from.port(), "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", toId);
    for (TestRedis m : masters()) {
      if (m != from && m != to) {
        cli(m.port(), "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", toId);
      }
    }
    return began;
  }

  /** The hash slot of {@code key}, as the cluster computes it. */
  public int slotOf(String key) throws Exception {
    TestRedis alive = servers.stream().filter(TestRedis::isAlive).findFirst().orElseThrow();
    return Integer.parseInt(cli(alive.port(), "CLUSTER", "KEYSLOT", key).trim());
  }

  /** Runs redis-cli against one server and returns what it printed. */
  public static String cli(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  @Override
  public void close() throws Exception {
    for (TestRedis r : servers) {
      r.close();
    }
  }
}
