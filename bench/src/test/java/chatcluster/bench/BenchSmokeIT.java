package chatcluster.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.bench.side.Settings;
import chatcluster.bench.side.SideBySide;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The side-by-side harness on the ChatCluster target with tiny numbers: a real redis-server and two
 * node processes from the built jar, every scenario once (the growth curves too: nodes at 1 and 2
 * processes, the 2 on the run's own target; rooms; idle at two levels). Checks what the benchmark's
 * users rely on: every message delivered exactly once and in order, latencies and CPU recorded, and
 * the JSON, markdown and PNG files written.
 */
class BenchSmokeIT {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

  /** One run of {@code scenarios} on {@code target} with the smallest numbers that still measure. */
  private static Settings tiny(String target, String... scenarios) {
    Settings s = Settings.quick();
    s.targets = List.of(target);
    s.scenarios = List.of(scenarios);
    s.runs = 1;
    s.warmupSeconds = 1;
    s.measureSeconds = 2;
    s.subscribers = 50;
    s.maxWindow = 16;
    s.nodeHeap = "256m";
    return s;
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sideBySideOnChatClusterDeliversEveryMessageOnceInOrderAndWritesItsReport() throws Exception {
    Settings s = tiny("chatcluster", "idle", "connect", "fanout", "max", "channels", "xnode", "rooms", "nodes");
    s.rates = List.of(20);
    s.idleConnections = List.of(50, 100);
    s.idleSeconds = 2; // a few hundred connections leave nothing for a long idle spell to settle
    s.connects = 20;
    s.channels = 10;
    s.channelsRate = 40;
    s.xnodeSubscribers = 20;
    s.xnodeRate = 20;
    s.roomsChannels = 50;
    s.roomsPerChannel = 3;
    s.roomsRate = 100;
    s.roomsPublishers = 3; // 17, 17 and 16 channels: an uneven split is accounted for too
    s.nodeCounts = List.of(1, 2);
    s.nodesSubscribers = 20;
    s.nodesRate = 20;
    Path out = Path.of("target/bench-smoke");
    Path summary = SideBySide.run(s, Path.of("..").toAbsolutePath().normalize(), out);

    JsonObject run = new JsonObject(Files.readString(out.resolve("run-1-chatcluster.json")));
    assertEquals(new JsonArray(), run.getJsonArray("errors"), "no scenario failed");
    JsonObject sc = run.getJsonObject("scenarios");
    JsonArray fanout = sc.getJsonArray("fanout");
    assertEquals(2, fanout.size(), "one step at 20 msg/s, one saturated");
    for (Object o : fanout) {
      assertMessagesExactlyOnceInOrder((JsonObject) o);
    }
    JsonObject atRate = fanout.getJsonObject(0);
    assertTrue(atRate.getLong("published") >= 30, "about 20 msg/s for 2 s: " + atRate.getLong("published"));
    assertTrue(atRate.getLong("delivered") >= 50 * atRate.getLong("published"), "every subscriber got them");
    assertMessagesExactlyOnceInOrder(sc.getJsonObject("channels"));
    assertMessagesExactlyOnceInOrder(sc.getJsonObject("xnode"));
    assertTrue(sc.getJsonObject("xnode").getBoolean("crossProcess"));

    JsonObject rooms = sc.getJsonObject("rooms");
    assertMessagesExactlyOnceInOrder(rooms);
    assertEquals(50, rooms.getInteger("channels"));
    assertEquals(3, rooms.getInteger("publishers"));
    assertTrue(rooms.getLong("delivered") >= 3 * rooms.getLong("published"), "each message to its 3 subscribers");
    assertTrue(rooms.getJsonObject("cpu").getDouble("totalMicrosPerMessage") > 0, "CPU per message");
    assertTrue(rooms.getJsonObject("cpu").containsKey("redisMicrosPerMessage"), "Redis CPU per message");

    JsonArray nodes = sc.getJsonArray("nodes");
    assertEquals(2, nodes.size(), "one step per count of processes");
    for (int i = 0; i < 2; i++) {
      JsonObject step = nodes.getJsonObject(i);
      assertMessagesExactlyOnceInOrder(step);
      assertEquals(i + 1, step.getInteger("nodes"));
      assertEquals(i == 0, step.getBoolean("freshTarget"), "2 processes: the run's own target");
      assertTrue(step.getLong("delivered") >= 20 * step.getLong("published"), "every subscriber got them");
      assertTrue(step.getDouble("gcPauseMillis") >= 0, "GC pauses read from the nodes' /metrics");
    }
    assertEquals(2, nodes.getJsonObject(1).getJsonObject("cpu").getJsonArray("serverCoresByProcess").size());

    JsonObject idle = sc.getJsonObject("idle");
    assertEquals(100, idle.getInteger("connections"));
    assertTrue(idle.getLong("rssAfterBytes") > 0, "RSS sampled");
    assertTrue(idle.containsKey("liveHeapPerConnectionBytes"), "live heap read with jcmd");
    JsonArray curve = idle.getJsonArray("curve");
    assertEquals(2, curve.size(), "one point per level");
    assertEquals(50, curve.getJsonObject(0).getInteger("connections"));
    assertTrue(curve.getJsonObject(0).containsKey("liveHeapPerConnectionBytes"), "live heap at each level");
    for (String k : List.of("connectWs", "connectWss")) {
      JsonObject c = sc.getJsonObject(k);
      assertTrue(c.getDouble("handshakesPerSecond") > 0, k);
      assertTrue(c.getJsonObject("cpu").getLong("serverCpuMicros") > 0, k + " CPU sampled");
      JsonObject byThread = c.getJsonObject("serverMicrosPerConnectionByThread");
      for (String kind : List.of("eventLoops", "acceptor", "jit", "gc", "other")) {
        assertTrue(byThread.containsKey(kind), k + ": the JVMs' CPU split by thread has " + kind);
      }
    }

    String md = Files.readString(summary);
    assertTrue(md.contains("| 20 | CPU µs per delivery |"), md);
    assertTrue(md.contains("| 2 | CPU µs per delivery (processes + Redis) |"), md);
    assertTrue(md.contains("| CPU µs per message (server + Redis) |"), md);
    assertTrue(md.contains("| 50 | RSS per connection (KB) |"), md);
    for (String png : List.of("cpu-per-delivery.png", "latency.png", "idle-rss.png", "nodes-cpu.png",
        "nodes-p99.png", "rooms-cpu.png", "idle-curve.png")) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 4);
      assertTrue(java.util.Arrays.equals(PNG, head), png + " is a PNG");
    }
  }

  /**
   * A batched target (subscribers with ?batch=1, the nodes' writeDelay 5 ms): a subscriber reads
   * every payload of a joined message, each once and in order.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void batchedTargetsDeliverEveryMessageOnceInOrder() throws Exception {
    // One batched target: the node's own tests cover writeDelay 0 (BatchedFramesTest); the suite's time is short.
    Settings s = tiny("chatcluster-v2-delay5", "fanout", "max");
    s.rates = List.of(50);
    Path out = Path.of("target/bench-smoke-batched");
    SideBySide.run(s, Path.of("..").toAbsolutePath().normalize(), out);
    for (String target : s.targets) {
      JsonObject run = new JsonObject(Files.readString(out.resolve("run-1-" + target + ".json")));
      assertEquals(new JsonArray(), run.getJsonArray("errors"), target + ": no scenario failed");
      JsonArray fanout = run.getJsonObject("scenarios").getJsonArray("fanout");
      assertEquals(2, fanout.size(), target + ": one step at 50 msg/s, one saturated");
      for (Object o : fanout) {
        assertMessagesExactlyOnceInOrder((JsonObject) o);
      }
      JsonObject atRate = fanout.getJsonObject(0);
      assertTrue(atRate.getLong("delivered") >= 50 * atRate.getLong("published"), target + ": every subscriber got them");
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void stormOnChatClusterBringsEveryClientOfTheKilledNodeBackWithExactRecovery() throws Exception {
    Settings s = tiny("chatcluster", "storm");
    s.stormWarmup = 1;
    s.stormClients = 30;
    s.stormChannels = 3;
    s.stormRate = 5;
    s.stormSeconds = 2;
    Path out = Path.of("target/bench-smoke-storm");
    String md = Files.readString(SideBySide.run(s, Path.of("..").toAbsolutePath().normalize(), out));

    JsonObject run = new JsonObject(Files.readString(out.resolve("run-1-chatcluster.json")));
    assertEquals(new JsonArray(), run.getJsonArray("errors"), "no scenario failed");
    JsonObject storm = run.getJsonObject("scenarios").getJsonObject("storm");
    assertEquals(10, storm.getInteger("clientsOfKilledNode"), "a third of the clients on the killed node");
    assertEquals(10, storm.getInteger("backWithExactRecovery"), "every one back with recovered: true: " + storm);
    assertEquals(0, storm.getInteger("notRecovered"));
    assertTrue(storm.getLong("published") > 0 && storm.getBoolean("allAnswered"), "published and answered");
    assertEquals(0, storm.getLong("failedPublishes"), "every publish acknowledged");
    assertEquals(0, storm.getLong("lost"), "nothing lost");
    assertEquals(0, storm.getLong("duplicated"), "nothing duplicated or out of order");
    for (String phase : List.of("before", "during", "after")) {
      assertTrue(storm.getJsonObject("survivorsLatencyMicros").getJsonObject(phase).getLong("count") > 0, phase);
    }
    assertTrue(md.contains("| back with exact recovery | 10 |"), md);
    assertTrue(Files.isRegularFile(out.resolve("storm.png")), "storm chart");
  }

  private static void assertMessagesExactlyOnceInOrder(JsonObject step) {
    String name = step.getString("scenario") + " at " + step.getValue("rate");
    assertTrue(step.getLong("published") > 0, name + ": published");
    assertEquals(0, step.getLong("failedPublishes"), name + ": every publish acknowledged");
    assertTrue(step.getBoolean("allAnswered"), name + ": every publish answered");
    assertEquals(0, step.getLong("lost"), name + ": nothing lost");
    assertEquals(0, step.getLong("duplicated"), name + ": nothing duplicated or out of order");
    assertTrue(step.getJsonObject("latencyMicros").getLong("count") > 0, name + ": latencies recorded");
    assertTrue(step.getJsonObject("latencyMicros").getLong("p50") > 0, name + ": latencies recorded");
    assertTrue(step.getJsonObject("cpu").getLong("serverCpuMicros") > 0, name + ": server CPU sampled");
    assertTrue(step.getJsonObject("cpu").getLong("generatorCpuMicros") > 0, name + ": generator CPU sampled");
  }
}
