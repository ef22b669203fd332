package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeCluster;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.TestRedisCluster;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resilience suite: real node processes and Redis on loopback, traffic flowing while a part dies.
 * Each scenario counts messages lost and duplicated per subscriber against what was acknowledged,
 * checks every recovery verdict, and prints its figures (docs/resilience.md holds them). CI runs the
 * short version; {@code -Dchatcluster.resilience.full=true} stalls a node for 30 s instead of 5 s.
 */
@ExtendWith(RedisExtension.class)
class ResilienceIT {
  private static final boolean FULL = Boolean.getBoolean("chatcluster.resilience.full");
  private static final String CONFIG = """
      channels:
        - name: "hist-*"
          persistent: true
          historySize: 20000
        - name: lobby
          presence: true
      """;

  /** Publishes to one channel every 20 ms from its own thread, remembering every acknowledged offset. */
  private static final class Publisher implements AutoCloseable {
    final List<Long> acked = new CopyOnWriteArrayList<>();
    /** The data of each acknowledged publish (its number). */
    final List<Integer> ackedData = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    /** Each refusal: its channel and when (System.nanoTime). */
    final List<Map.Entry<String, Long>> refusedOn = new CopyOnWriteArrayList<>();
    /** Acknowledged publishes since the last refusal. */
    volatile int ackedInARow;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Publisher(WsClient client, List<String> channels) {
      thread = new Thread(() -> {
        for (int n = 0; running.get(); n++) {
          String channel = channels.get(n % channels.size());
          JsonObject reply = client.call(new JsonObject().put("type", "publish").put("channel", channel).put("data", n));
          if ("ack".equals(reply.getString("type"))) {
            acked.add(reply.getJsonObject("result").getLong("offset"));
            ackedData.add(n);
            ackedInARow++;
          } else {
            refused.add(reply.getString("code"));
            refusedOn.add(Map.entry(channel, System.nanoTime()));
            ackedInARow = 0;
          }
          pause(20);
        }
      });
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  @Test
  void killingANodeMovesItsClientsWithSinceAndLosesNothing(TestRedis redis) throws Exception {
    String prefix = "res-" + Ids.random(5) + ":";
    try (NodeCluster nodes = NodeCluster.start(3, "res", Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", prefix,
        "WEBSOCKET_RATE_LIMIT", "0"), CONFIG)) {
      String channel = "hist-kill";
      JsonObject subscribe = new JsonObject().put("type", "subscribe").put("channel", channel);
      List<WsClient> clients = new ArrayList<>();
      List<Long> startAt = new ArrayList<>();
      String epoch = null;
      for (int i = 0; i < 300; i++) {
        WsClient c = nodes.open(i % 3);
        JsonObject ack = c.ok(subscribe);
        epoch = ack.getString("epoch");
        clients.add(c);
        startAt.add(ack.getLong("offset"));
      }
      WsClient pubClient = nodes.open(0);
      pubClient.ok(subscribe);
      Publisher publisher = new Publisher(pubClient, List.of(channel));
      pause(1000);
      nodes.signal(2, "KILL");
      long killedAt = System.nanoTime();

      // The dead node's clients come back on the others with since = the last offset they have.
      ExecutorService pool = Executors.newFixedThreadPool(10);
      List<Future<WsClient>> moves = new ArrayList<>();
      List<Integer> moved = new ArrayList<>();
      String streamEpoch = epoch;
      for (int i = 2; i < 300; i += 3) {
        WsClient old = clients.get(i);
        int to = (i / 3) % 2;
        moved.add(i);
        moves.add(pool.submit(() -> {
          old.closeCode(Duration.ofSeconds(10));
          long last = old.pending().stream().filter(f -> "message".equals(f.getString("type")))
              .mapToLong(f -> f.getLong("offset")).max().orElse(-1);
          WsClient back = nodes.open(to);
          JsonObject ack = back.ok(new JsonObject().put("type", "subscribe").put("channel", channel)
              .put("since", new JsonObject().put("offset", last).put("epoch", streamEpoch)));
          assertTrue(ack.getBoolean("recovered"), "history holds everything it missed");
          return back;
        }));
      }
      List<WsClient> backs = new ArrayList<>();
      for (Future<WsClient> f : moves) {
        backs.add(f.get(30, TimeUnit.SECONDS));
      }
      long recoveredMillis = (System.nanoTime() - killedAt) / 1_000_000;
      pool.shutdown();
      pause(1000);
      publisher.close();
      long top = publisher.acked.get(publisher.acked.size() - 1);

      int lost = 0;
      int duplicated = 0;
      for (int i = 0; i < 300; i++) {
        List<Long> got = offsets(clients.get(i));
        int m = moved.indexOf(i);
        if (m >= 0) {
          got.addAll(offsets(backs.get(m), top));
        } else {
          got = offsets(clients.get(i), top);
        }
        int[] counts = tally(got, startAt.get(i), top);
        lost += counts[0];
        duplicated += counts[1];
      }
      System.out.printf("node kill: 100 of 300 clients moved with since, all resubscribed %d ms after the kill"
          + " (recovered:true 100/100); %d published; lost %d, duplicated %d%n", recoveredMillis,
          publisher.acked.size(), lost, duplicated);
      assertEquals(0, lost);
      assertEquals(0, duplicated);
      assertTrue(publisher.refused.isEmpty(), "no publish refused: Redis stayed up");
    }
  }

  @Test
  void aNodeStalledAndResumedCatchesUpWithoutLossOrDuplicates(TestRedis redis) throws Exception {
    int stallSeconds = FULL ? 30 : 5;
    String prefix = "stall-" + Ids.random(5) + ":";
    try (NodeCluster nodes = NodeCluster.start(2, "stall", Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", prefix,
        "WEBSOCKET_RATE_LIMIT", "0"), CONFIG)) {
      String channel = "hist-stall";
      JsonObject subscribe = new JsonObject().put("type", "subscribe").put("channel", channel);
      List<WsClient> clients = new ArrayList<>();
      List<Long> startAt = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        WsClient c = nodes.open(i % 2);
        startAt.add(c.ok(subscribe).getLong("offset"));
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "lobby"));
        clients.add(c);
      }
      WsClient pubClient = nodes.open(0);
      pubClient.ok(subscribe);
      Publisher publisher = new Publisher(pubClient, List.of(channel));
      pause(1000);
      nodes.signal(1, "STOP");
      pause(stallSeconds * 1000L);
      nodes.signal(1, "CONT");
      long resumedAt = System.nanoTime();
      long target = publisher.acked.get(publisher.acked.size() - 1);
      for (int i = 1; i < 100; i += 2) {
        clients.get(i).await(f -> "message".equals(f.getString("type")) && f.getLong("offset") >= target,
            Duration.ofSeconds(30));
      }
      long caughtUpMillis = (System.nanoTime() - resumedAt) / 1_000_000;
      // Stalled past the dead-node window, the node was cleaned up by the others; it writes its
      // presence and routes again when it sees that.
      int present = 0;
      long presenceDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (present != 100 && System.nanoTime() < presenceDeadline) {
        present = clients.get(0).ok(new JsonObject().put("type", "presence").put("channel", "lobby")).getInteger("count");
        pause(200);
      }
      long presentMillis = (System.nanoTime() - resumedAt) / 1_000_000;
      assertEquals(100, present, "every connection is present again after the stall");
      pause(500);
      publisher.close();
      long top = publisher.acked.get(publisher.acked.size() - 1);
      int lost = 0;
      int duplicated = 0;
      int resets = 0;
      for (int i = 0; i < 100; i++) {
        WsClient c = clients.get(i);
        resets += (int) c.pending().stream().filter(f -> "reset".equals(f.getString("type"))).count();
        int[] counts = tally(offsets(c, top), startAt.get(i), top);
        lost += counts[0];
        duplicated += counts[1];
      }
      System.out.printf("node stall: node 1 stopped %d s with 50 subscribers; they caught up %d ms after it resumed,"
          + " presence complete again after %d ms; %d published; lost %d, duplicated %d, resets %d%n", stallSeconds,
          caughtUpMillis, presentMillis, publisher.acked.size(), lost, duplicated, resets);
      assertEquals(0, lost);
      assertEquals(0, duplicated);
    }
  }

  /**
   * Masters of a Redis Cluster killed one after the other (3 rounds here, 10 with {@code
   * -Dchatcluster.resilience.full=true}), each replaced by its replica, then started again (it comes
   * back as a replica), under a publisher on channels of every shard. One shard down is one shard
   * down: publishes on the other shards' channels are refused 0 times (the servers run with
   * {@code cluster-require-full-coverage no}, as docs/resilience.md asks). Every acknowledged message
   * reaches every subscriber once; one the dead master acknowledged but did not replicate may be gone
   * from history, and a subscriber that misses it is told with a reset.
   */
  @Test
  void aRedisClusterMasterKilledStopsOnlyItsShardAndLosesNoAcknowledgedMessage() throws Exception {
    int rounds = FULL ? 10 : 3;
    try (TestRedisCluster redis = TestRedisCluster.start(3, 1);
         NodeCluster nodes = NodeCluster.start(2, "rcf", Map.of("REDIS_CLUSTER_NODES", redis.nodeList(),
             "REDIS_PREFIX", "rcf:", "WEBSOCKET_RATE_LIMIT", "0"), CONFIG)) {
      List<String> channels = List.of("hist-a", "hist-b", "hist-c", "hist-d", "hist-e", "hist-f");
      List<WsClient> clients = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        WsClient c = nodes.open(i % 2);
        for (String channel : channels) {
          c.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
        }
        clients.add(c);
      }
      WsClient pubClient = nodes.open(0);
      for (String channel : channels) {
        pubClient.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
      }
      Publisher publisher = new Publisher(pubClient, channels);
      pause(1000);
      int refusedElsewhere = 0;
      List<String> figures = new ArrayList<>();
      Map<String, Integer> killsByShard = new java.util.HashMap<>(); // a shard named by its first channel
      for (int round = 0; round < rounds; round++) {
        // The master of the shard killed least often so far: every shard gets its turn.
        TestRedis master = null;
        List<String> failing = List.of();
        for (TestRedis candidate : redis.masters()) {
          List<String> served = servedBy(redis, candidate, channels);
          if (!served.isEmpty() && (master == null
              || killsByShard.getOrDefault(served.get(0), 0) < killsByShard.getOrDefault(failing.get(0), 0))) {
            master = candidate;
            failing = served;
          }
        }
        killsByShard.merge(failing.get(0), 1, Integer::sum);
        int refusalsBefore = publisher.refusedOn.size();
        long killedAt = System.nanoTime();
        long promotedAt = redis.killAndAwaitPromotion(master, Duration.ofSeconds(10));
        // Back when every channel took publishes twice in a row after the last refusal.
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
        boolean back = false;
        while (System.nanoTime() < deadline && !back) {
          back = publisher.refusedOn.size() > refusalsBefore && publisher.ackedInARow >= 2 * channels.size();
          pause(20);
        }
        String clusterView = back ? "" : clusterView(redis);
        assertTrue(back, () -> "publishing on every shard again within 60 s; node 0 said:\n" + tail(nodes.node(0).output())
            + "\nthe cluster says:\n" + clusterView);
        List<Map.Entry<String, Long>> all = new ArrayList<>(publisher.refusedOn); // a copy: the publisher goes on
        List<Map.Entry<String, Long>> refusals = all.subList(refusalsBefore, all.size());
        List<String> down = failing;
        long onShard = refusals.stream().filter(r -> down.contains(r.getKey())).count();
        long elsewhere = refusals.size() - onShard;
        refusedElsewhere += (int) elsewhere;
        long lastRefusal = refusals.stream().filter(r -> down.contains(r.getKey())).mapToLong(Map.Entry::getValue)
            .max().orElse(killedAt);
        figures.add(String.format("round %d: %s (channels %s) promoted %d ms after the kill, its channels refused %d"
            + " times until %d ms, the other shards' %d times", round + 1, master.port(), failing,
            (promotedAt - killedAt) / 1_000_000, onShard, (lastRefusal - killedAt) / 1_000_000, elsewhere));
        master.start(); // it comes back as a replica of the one that took its place
        redis.awaitState("ok");
        redis.awaitReplicasInSync();
      }
      pause(1000);
      publisher.close();
      int acked = publisher.acked.size();
      // Every acknowledged message reaches every subscriber that stayed connected, once; the only
      // exception is a message a dead master acknowledged but neither replicated nor delivered
      // everywhere: a subscriber that misses it must have been told with a reset.
      int lost = 0;
      int lostSilently = 0;
      int duplicated = 0;
      int resets = 0;
      for (WsClient c : clients) {
        List<JsonObject> messages = c.pending().stream().filter(f -> "message".equals(f.getString("type"))).toList();
        int clientResets = (int) c.pending().stream().filter(f -> "reset".equals(f.getString("type"))).count();
        resets += clientResets;
        TreeSet<Integer> data = new TreeSet<>();
        for (JsonObject m : messages) {
          if (!data.add(m.getInteger("data"))) {
            duplicated++;
          }
        }
        int missing = acked - data.size();
        lost += missing;
        lostSilently += clientResets == 0 ? missing : 0;
      }
      System.out.printf("redis cluster master kills: %s; %d acknowledged, %d refused in all; lost %d (%d without a"
          + " reset), duplicated %d, resets %d%n", String.join("; ", figures), acked, publisher.refused.size(), lost,
          lostSilently, duplicated, resets);
      for (int n = 0; n < 2; n++) {
        nodes.node(n).output().lines().filter(l -> l.contains("reset to")).limit(5)
            .forEach(l -> System.out.println("  why a reset: " + l));
      }
      for (int n = 0; n < 2; n++) {
        List<String> errors = nodes.node(n).output().lines().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(List.of(), errors, "a master's death is a WARN line and the move INFO lines, no ERROR");
      }
      assertEquals(0, refusedElsewhere, () -> "publishes on the shards that stayed up are never refused: " + figures);
      assertTrue(publisher.refused.stream().allMatch("unavailable"::equals), "refusals say unavailable");
      assertEquals(0, duplicated);
      assertEquals(0, lostSilently, "nothing acknowledged is lost without a reset");
    }
  }

  /**
   * Failovers of a Redis Cluster shard whose master stays up, under a publisher on channels of every
   * shard (5 rounds of each kind here, 10 with {@code -Dchatcluster.resilience.full=true}). Redis drops
   * the sharded subscriptions of a slot that moves; the node subscribes again where it went and fills
   * what went by from history. A manual failover (the replica caught up first): every acknowledged
   * message reaches every subscriber once, in order, with no reset. A forced takeover: the old master
   * takes writes until it learns it was replaced, and Redis discards them; a subscriber that misses
   * one of those is told with a reset, nothing else is missed, nothing duplicated. A slot migration
   * (one channel's slot moved to another master with its keys, as a reshard does): nothing lost, no
   * reset. In every kind, the channels of slots that did not move are never refused.
   */
  @Test
  void redisClusterFailoversWithTheMasterUpLoseNothingWithoutAReset() throws Exception {
    int rounds = Boolean.getBoolean("chatcluster.resilience.full") ? 10 : 5;
    try (TestRedisCluster redis = TestRedisCluster.start(3, 1);
         NodeCluster nodes = NodeCluster.start(2, "rct", Map.of("REDIS_CLUSTER_NODES", redis.nodeList(),
             "REDIS_PREFIX", "rct:", "WEBSOCKET_RATE_LIMIT", "0"), CONFIG)) {
      List<String> channels = List.of("hist-a", "hist-b", "hist-c", "hist-d", "hist-e", "hist-f");
      for (String kind : List.of("manual failover", "takeover", "slot migration")) {
        boolean force = kind.equals("takeover");
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          WsClient c = nodes.open(i % 2);
          for (String channel : channels) {
            c.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
          }
          clients.add(c);
        }
        WsClient pubClient = nodes.open(0);
        for (String channel : channels) {
          pubClient.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
        }
        Publisher publisher = new Publisher(pubClient, channels);
        pause(500);
        List<Long> backMillis = new ArrayList<>();
        List<Integer> refusedPerRound = new ArrayList<>();
        int refusedElsewhere = 0;
        for (int round = 0; round < rounds; round++) {
          List<TestRedis> masters = redis.masters();
          TestRedis master = masters.get(round % masters.size());
          List<String> moving;
          int refusedBefore = publisher.refused.size();
          int refusedOnBefore = publisher.refusedOn.size();
          long asked;
          if (kind.equals("slot migration")) {
            // One channel's slot to another master (the others of its old master stay).
            String channel = channels.get(round % channels.size());
            int slot = redis.slotOf("{c:" + channel + "}");
            TestRedis from = null;
            for (TestRedis m : masters) {
              if (!servedBy(redis, m, List.of(channel)).isEmpty()) {
                from = m;
              }
            }
            TestRedis to = masters.get((masters.indexOf(from) + 1) % masters.size());
            moving = new ArrayList<>();
            for (String c : channels) {
              if (redis.slotOf("{c:" + c + "}") == slot) {
                moving.add(c);
              }
            }
            asked = redis.migrateSlot(slot, from, to);
          } else {
            moving = servedBy(redis, master, channels);
            asked = redis.failOver(master, force, Duration.ofSeconds(20));
          }
          // Back when every channel (every shard) took publishes twice in a row after the failover.
          publisher.ackedInARow = 0;
          long deadline = asked + TimeUnit.SECONDS.toNanos(30);
          while (publisher.ackedInARow < 2 * channels.size() && System.nanoTime() < deadline) {
            pause(20);
          }
          backMillis.add((System.nanoTime() - asked) / 1_000_000);
          refusedPerRound.add(publisher.refused.size() - refusedBefore);
          List<Map.Entry<String, Long>> all = new ArrayList<>(publisher.refusedOn); // a copy: the publisher goes on
          refusedElsewhere += (int) all.subList(refusedOnBefore, all.size()).stream()
              .filter(r -> !moving.contains(r.getKey())).count();
          int r = round;
          assertTrue(publisher.ackedInARow >= 2 * channels.size(), () -> kind + ": publishing on every shard again,"
              + " round " + r + "; node 0 said:\n" + tail(nodes.node(0).output()) + "\nthe cluster says:\n"
              + clusterView(redis));
          pause(300);
        }
        pause(1000);
        publisher.close();
        int acked = publisher.acked.size();
        // What the shards' masters hold now: an acknowledged message that is not there was discarded by
        // Redis (written to a master that had been replaced); every one that is there must be delivered.
        java.util.Set<Integer> stored = new java.util.HashSet<>();
        for (String channel : channels) {
          JsonObject page = pubClient.call(new JsonObject().put("type", "history").put("channel", channel)
              .put("limit", 20000)).getJsonObject("result");
          page.getJsonArray("messages").forEach(m -> stored.add(((JsonObject) m).getInteger("data")));
        }
        List<Integer> kept = publisher.ackedData.stream().filter(stored::contains).toList();
        int discarded = acked - kept.size();
        int lost = 0;
        int lostFromHistory = 0;
        int lostSilently = 0;
        int duplicated = 0;
        int resets = 0;
        int outOfOrder = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (WsClient c : clients) {
          while (System.nanoTime() < deadline && c.pending().stream()
              .filter(f -> "message".equals(f.getString("type"))).count() < kept.size()) {
            pause(20);
          }
          TreeSet<Integer> data = new TreeSet<>();
          Map<String, Long> lastOffset = new java.util.HashMap<>();
          int clientResets = 0;
          for (JsonObject f : c.pending()) {
            String channel = f.getString("channel");
            if ("reset".equals(f.getString("type"))) {
              clientResets++;
              lastOffset.put(channel, f.getLong("offset")); // the stream continues after it
            } else if ("message".equals(f.getString("type"))) {
              if (!data.add(f.getInteger("data"))) {
                duplicated++;
              }
              Long before = lastOffset.put(channel, f.getLong("offset"));
              if (before != null && f.getLong("offset") != before + 1) {
                outOfOrder++;
              }
            }
          }
          int missing = (int) publisher.ackedData.stream().filter(n -> !data.contains(n)).count();
          lost += missing;
          lostFromHistory += (int) kept.stream().filter(n -> !data.contains(n)).count();
          lostSilently += clientResets == 0 ? missing : 0;
          resets += clientResets;
          c.close();
        }
        pubClient.close();
        System.out.printf("redis cluster %s: %d rounds with the master up, every shard publishing again %s ms after"
            + " each (refused meanwhile: %s, on the other shards' channels %d); %d acknowledged, %d of them discarded by Redis; deliveries lost %d (of"
            + " messages in history %d, without a reset %d), duplicated %d, out of order %d, resets %d (10"
            + " subscribers)%n", kind, rounds, backMillis, refusedPerRound, refusedElsewhere, acked, discarded, lost, lostFromHistory,
            lostSilently, duplicated, outOfOrder, resets);
        if (lostFromHistory > 0) {
          for (int n = 0; n < 2; n++) {
            nodes.node(n).output().lines().filter(l -> l.contains("redis.") || l.contains("broker."))
                .forEach(System.out::println);
          }
          for (WsClient c : clients) {
            Map<String, Long> lastOffset = new java.util.TreeMap<>();
            c.pending().stream().filter(f -> "message".equals(f.getString("type")))
                .forEach(f -> lastOffset.put(f.getString("channel"), f.getLong("offset")));
            System.out.println("subscriber's last offsets: " + lastOffset);
          }
        }
        assertTrue(publisher.refused.stream().allMatch("unavailable"::equals), "refusals say unavailable");
        assertEquals(0, refusedElsewhere, kind + ": the shards that did not fail over refuse nothing");
        assertEquals(0, duplicated, kind);
        assertEquals(0, outOfOrder, kind + ": in order (a reset says where the stream continues)");
        assertEquals(0, lostFromHistory, kind + ": every message the new masters hold reached every subscriber");
        if (!force) { // a manual failover, a slot migration: nothing acknowledged is discarded
          assertEquals(0, lost, kind + ": every acknowledged message reached every subscriber");
          assertEquals(0, resets, kind + ": history had every message, nobody is told to start over");
        }
      }
    }
  }

  /** The channels whose slots {@code master} serves. */
  private static List<String> servedBy(TestRedisCluster redis, TestRedis master, List<String> channels) throws Exception {
    List<String> served = new ArrayList<>();
    for (String channel : channels) {
      if (redis.serves(master, "{c:" + channel + "}")) {
        served.add(channel);
      }
    }
    return served;
  }

  private static String clusterView(TestRedisCluster redis) {
    try {
      for (var server : redis.servers()) {
        if (server.isAlive()) {
          return TestRedisCluster.cli(server.port(), "CLUSTER", "NODES") + TestRedisCluster.cli(server.port(), "CLUSTER",
              "SLOTS");
        }
      }
      return "no live server";
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static String tail(String log) {
    return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
  }

  /** Offsets of the message frames a client received, in order. */
  private static List<Long> offsets(WsClient c) {
    List<Long> got = new ArrayList<>();
    c.pending().stream().filter(f -> "message".equals(f.getString("type"))).forEach(f -> got.add(f.getLong("offset")));
    return got;
  }

  /** Waits until the client has offset {@code top}, then returns its offsets. */
  private static List<Long> offsets(WsClient c, long top) {
    c.takeAll(f -> "message".equals(f.getString("type")) && f.getLong("offset") == top, 1, Duration.ofSeconds(30));
    List<Long> got = offsets(c);
    got.add(top);
    return got;
  }

  /** {lost, duplicated}: offsets in (start, top] missing from {@code got}, and offsets seen twice. */
  private static int[] tally(List<Long> got, long start, long top) {
    TreeSet<Long> seen = new TreeSet<>();
    int duplicated = 0;
    for (long o : got) {
      if (!seen.add(o)) {
        duplicated++;
      }
    }
    int lost = 0;
    for (long o = start + 1; o <= top; o++) {
      if (!seen.contains(o)) {
        lost++;
      }
    }
    return new int[] {lost, duplicated};
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // pacing traffic and bounded waits
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
