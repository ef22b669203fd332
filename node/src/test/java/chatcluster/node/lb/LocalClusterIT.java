package chatcluster.node.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.launcher.ClusterStatus;
import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local launcher with three real node processes, a real redis-server and real nginx: clients
 * spread by nginx's route cookie, stay on their node, survive reloads and scaling, and fail over
 * when a node is killed. The tests run in order on one cluster; the last one stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalClusterIT {
  private static final int CLIENTS = 300;

  private Vertx vertx;
  private LauncherProcess launcher;
  private int port;
  /** The cookie-less clients of the spread test, kept open through reload, scale and the kill. */
  private final List<Client> population = new ArrayList<>();
  private final List<WsClient> others = new ArrayList<>();
  private Traffic traffic;

  /** A connection through nginx, the node it landed on and the route cookie nginx gave it. */
  record Client(WsClient ws, String node, String cookie) {}

  @BeforeAll
  void up() throws Exception {
    vertx = Vertx.vertx();
    port = NodeProcess.freePort();
    Path dir = Files.createTempDirectory("launcher-it-");
    Path config = Files.writeString(dir.resolve("nodes.yaml"), """
        channels:
          - name: lobby
            presence: true
        """);
    launcher = LauncherProcess.up(dir.resolve("state"), Map.of("REDIS_PREFIX", "it-" + Ids.random(6) + ":"),
        "--nodes", "3", "--port", String.valueOf(port), "--cluster-name", "it-lb-" + Ids.random(8),
        "--config", config.toString());
  }

  @AfterAll
  void down() throws Exception {
    if (traffic != null) {
      traffic.close();
    }
    population.forEach(c -> c.ws().close());
    others.forEach(WsClient::close);
    if (launcher != null) {
      launcher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void upPrintsThePublicUrlAndEachNodeWithItsOwnLogFile() throws Exception {
    String table = launcher.stdout();
    assertTrue(table.contains("public URL  ws://127.0.0.1:" + port + "/ws"), table);
    ClusterStatus status = launcher.status();
    assertEquals(List.of("node-1", "node-2", "node-3"), status.nodes().stream().map(ClusterStatus.Node::id).toList());
    for (ClusterStatus.Node n : status.nodes()) {
      assertTrue(table.contains(n.log()), table);
      assertTrue(Files.readString(Path.of(n.log())).contains(n.id()), "log of " + n.id() + " in " + n.log());
    }
  }

  @Test
  @Order(2)
  void clientsWithoutCookiesFromOneAddressSpreadEvenlyOverThreeNodes() {
    for (int i = 0; i < CLIENTS; i++) {
      population.add(connect(null));
    }
    Map<String, Long> perNode = new TreeMap<>(population.stream()
        .collect(Collectors.groupingBy(Client::node, Collectors.counting())));
    System.out.println("spread of " + CLIENTS + " clients from 127.0.0.1: " + perNode);
    assertEquals(Set.of("node-1", "node-2", "node-3"), perNode.keySet());
    double even = CLIENTS / 3.0;
    perNode.forEach((node, n) -> assertTrue(Math.abs(n - even) <= 0.25 * even,
        node + " got " + n + " of " + CLIENTS + ": " + perNode));
    assertEquals(CLIENTS, population.stream().map(Client::cookie).distinct().count(), "one route cookie per client");
  }

  @Test
  @Order(3)
  void aClientPresentingItsRouteCookieLandsOnTheSameNodeOnEveryReconnect() {
    Client first = connect(null);
    first.ws().close();
    for (int i = 0; i < 10; i++) {
      Client again = connect(first.cookie());
      assertEquals(first.node(), again.node(), "reconnect " + i + " with " + first.cookie());
      assertNull(again.ws().handshakeHeaders().get("Set-Cookie"), "no new cookie for a client that has one");
      again.ws().close();
    }
  }

  @Test
  @Order(4)
  void theConfigFileIsHandedToEveryNode() {
    for (String node : List.of("node-1", "node-2", "node-3")) {
      Client c = population.stream().filter(p -> p.node().equals(node)).findFirst().orElseThrow();
      assertEquals("lobby", c.ws().ok(new JsonObject().put("type", "presence").put("channel", "lobby"))
          .getString("channel"), node);
    }
  }

  @Test
  @Order(5)
  void nginxReloadDuringTrafficDropsNoConnection() throws Exception {
    // The publisher is on node-1, which the kill test below leaves alive.
    List<WsClient> subscribers = subscribers();
    WsClient publisher = population.stream().filter(c -> c.node().equals("node-1"))
        .filter(c -> !subscribers.contains(c.ws())).findFirst().orElseThrow().ws();
    traffic = new Traffic(publisher, subscribers);
    traffic.start();
    while (traffic.published() < 50) {
      traffic.awaitDelivered();
    }
    launcher.nginxReload();
    traffic.awaitDelivered();
    assertNoneClosed("nginx -s reload");
  }

  @Test
  @Order(6)
  void scaleToFourDuringTrafficDropsNoConnectionAndNewClientsReachTheNewNode() throws Exception {
    long start = System.nanoTime();
    String table = launcher.cli("scale", "--nodes", "4");
    System.out.println("scale --nodes 4 took " + (System.nanoTime() - start) / 1_000_000 + " ms");
    assertTrue(table.contains("node-4"), table);
    traffic.awaitDelivered();
    assertNoneClosed("scale --nodes 4");
    List<Client> fresh = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      fresh.add(connect(null));
    }
    Map<String, Long> perNode = new TreeMap<>(fresh.stream()
        .collect(Collectors.groupingBy(Client::node, Collectors.counting())));
    System.out.println("40 new clients after scale: " + perNode);
    assertTrue(perNode.getOrDefault("node-4", 0L) > 0, "no new client reached node-4: " + perNode);
    Client onNew = fresh.stream().filter(c -> c.node().equals("node-4")).findFirst().orElseThrow();
    Client onOld = fresh.stream().filter(c -> !c.node().equals("node-4")).findFirst().orElseThrow();
    assertCrossNodeMessage(onNew, onOld);
    fresh.forEach(c -> c.ws().close());
  }

  @Test
  @Order(7)
  void afterKill9OfANodeItsClientsReconnectToTheOthersWithinFiveSeconds() throws Exception {
    ClusterStatus.Node victim = launcher.status().nodes().stream().filter(n -> n.id().equals("node-2"))
        .findFirst().orElseThrow();
    List<Client> orphans = population.stream().filter(c -> c.node().equals("node-2")).toList();
    List<Client> survivors = population.stream().filter(c -> !c.node().equals("node-2")).toList();
    long killedAt = System.nanoTime();
    ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
    // Like real clients, each reconnects on its own as soon as it sees its connection close.
    ExecutorService reconnecting = Executors.newFixedThreadPool(16);
    List<Future<Client>> reconnects = new ArrayList<>();
    for (Client orphan : orphans) {
      reconnects.add(reconnecting.submit(() -> {
        orphan.ws().closeCode(Duration.ofSeconds(10));
        return connect(orphan.cookie());
      }));
    }
    List<Client> moved = new ArrayList<>();
    try {
      for (Future<Client> r : reconnects) {
        moved.add(r.get(20, TimeUnit.SECONDS));
      }
    } finally {
      reconnecting.shutdownNow();
    }
    moved.forEach(c -> assertNotEquals("node-2", c.node()));
    long ms = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.println("after kill -9 of node-2, its " + orphans.size() + " clients reconnected to "
        + moved.stream().collect(Collectors.groupingBy(Client::node, TreeMap::new, Collectors.counting()))
        + " within " + ms + " ms");
    assertTrue(ms < 5_000, orphans.size() + " reconnects took " + ms + " ms");
    population.removeAll(orphans);
    population.addAll(moved);
    traffic.dropClosedSubscribers();
    traffic.awaitDelivered();
    assertTrue(survivors.stream().noneMatch(c -> c.ws().isClosed()), "clients of live nodes stayed connected");
    Client a = moved.get(0);
    Client b = population.stream().filter(c -> !c.node().equals(a.node())).findFirst().orElseThrow();
    assertCrossNodeMessage(a, b);
    assertCrossNodeMessage(b, a);
  }

  @Test
  @Order(8)
  void sigtermStopsTheLauncherAndEveryProcessItStarted() throws Exception {
    traffic.close();
    traffic = null;
    List<ProcessHandle> started = launcher.process().descendants().toList();
    assertTrue(started.size() >= 5, "redis, nginx and three nodes: " + started);
    long start = System.nanoTime();
    launcher.terminate(Duration.ofSeconds(60));
    System.out.println("launcher stopped " + (System.nanoTime() - start) / 1_000_000 + " ms after SIGTERM");
    for (ProcessHandle p : started) {
      p.onExit().get(10, TimeUnit.SECONDS);
      assertFalse(p.isAlive(), "left behind: " + p.pid() + " " + p.info().command().orElse(""));
    }
    assertFalse(Files.exists(launcher.stateDir().resolve("launcher.properties")));
  }

  private Client connect(String cookie) {
    WsClient.Builder b = WsClient.to(vertx, port);
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    WsClient ws = b.connect();
    String node = ws.take("welcome").getString("node");
    String setCookie = ws.handshakeHeaders().get("Set-Cookie");
    if (cookie == null) {
      assertTrue(setCookie != null && setCookie.startsWith("ccroute="), "route cookie on the 101: " + setCookie);
    }
    return new Client(ws, node, cookie != null ? cookie : setCookie.substring(0, setCookie.indexOf(';')));
  }

  /** Ten clients of the population on each node, subscribed to the traffic channel. */
  private List<WsClient> subscribers() {
    List<WsClient> subs = new ArrayList<>();
    for (String node : List.of("node-1", "node-2", "node-3")) {
      population.stream().filter(c -> c.node().equals(node)).limit(10).forEach(c -> {
        c.ws().ok(new JsonObject().put("type", "subscribe").put("channel", Traffic.CHANNEL));
        subs.add(c.ws());
      });
    }
    return subs;
  }

  private void assertNoneClosed(String what) {
    List<Client> closed = population.stream().filter(c -> c.ws().isClosed()).toList();
    System.out.println(what + " during traffic: " + closed.size() + " of " + population.size()
        + " connections dropped, " + traffic.published() + " messages published so far");
    assertEquals(List.of(), closed.stream().map(Client::node).toList(), what + " dropped connections");
    assertFalse(traffic.publisherClosed(), what + " dropped the publisher");
  }

  private static void assertCrossNodeMessage(Client from, Client to) {
    assertNotEquals(from.node(), to.node());
    String channel = "cross-" + Ids.random(6);
    to.ws().ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    from.ws().ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    from.ws().ok(new JsonObject().put("type", "publish").put("channel", channel).put("data", from.node()));
    assertEquals(from.node(), to.ws().take(f -> "message".equals(f.getString("type"))
        && channel.equals(f.getString("channel"))).getString("data"));
  }
}
