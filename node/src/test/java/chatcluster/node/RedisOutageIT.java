package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A Redis crash and restart in the middle of traffic: clients stay connected, local delivery goes
 * on, nodes resubscribe, and what pub/sub dropped is recovered from history.
 */
class RedisOutageIT {

  @Test
  void redisRestartMidTrafficIsSurvivedWithResubscriptionAndRecovery() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path config = Files.createTempFile("outage", ".yaml");
    Files.writeString(config, "host: 127.0.0.1\nchannels:\n  - name: \"hist-*\"\n    persistent: true\n"
        + "    historySize: 1000\n");
    int portA = NodeProcess.freePort();
    int portB = NodeProcess.freePort();
    try (TestRedis redis = TestRedis.startDedicated();
         NodeProcess a = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "WEBSOCKET_PORT", "" + portA,
             "NODE_ID", "node-A"), "--config", config.toString());
         NodeProcess b = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "WEBSOCKET_PORT", "" + portB,
             "NODE_ID", "node-B"), "--config", config.toString())) {
      a.awaitReady(portA, Duration.ofSeconds(60));
      b.awaitReady(portB, Duration.ofSeconds(60));
      WsClient publisher = WsClient.to(vertx, portA).open();
      WsClient local = WsClient.to(vertx, portA).open();
      WsClient remote = WsClient.to(vertx, portB).open();
      WsClient mover = WsClient.to(vertx, portB).open();
      JsonObject sub = new JsonObject().put("type", "subscribe").put("channel", "hist-live");
      publisher.ok(sub);
      local.ok(sub);
      String epoch = remote.ok(sub).getString("epoch");
      mover.ok(sub);
      // A channel that carries nothing until node B is away: its gap must be filled too.
      JsonObject quietSub = new JsonObject().put("type", "subscribe").put("channel", "hist-quiet");
      WsClient quiet = WsClient.to(vertx, portB).open();
      quiet.ok(quietSub);
      publisher.ok(quietSub);

      List<Long> clusterOffsets = new ArrayList<>();
      int localOnly = 0;
      int n = 0;
      for (; n < 30; n++) {
        clusterOffsets.add(publish(publisher, n));
      }
      // The mover leaves before the outage and will come back with since.
      long moverSince = clusterOffsets.get(clusterOffsets.size() - 1);
      for (int i = 0; i < 30; i++) {
        mover.take("message");
      }
      mover.close();

      redis.kill();
      awaitStatus(portB, 503);
      for (int i = 0; i < 10; i++, n++) {
        Long offset = publish(publisher, n);
        assertNull(offset, "no offset while Redis is down");
        localOnly++;
      }
      // Local delivery kept working: the subscriber on the publisher's node got all of them.
      for (int i = 0; i < 40; i++) {
        local.take("message");
      }

      // Node B is frozen across the restart, so pub/sub drops what A publishes until B is back.
      signal(b, "STOP");
      redis.start();
      awaitStatus(portA, 200);
      int droppedForB = 0;
      for (int i = 0; i < 40; i++, n++) {
        Long offset = publish(publisher, n);
        assertTrue(offset != null, "node A publishes through Redis again");
        clusterOffsets.add(offset);
        droppedForB++;
      }
      for (int i = 0; i < 5; i++) {
        publisher.ok(new JsonObject().put("type", "publish").put("channel", "hist-quiet").put("data", "q" + i));
        droppedForB++;
      }
      signal(b, "CONT");
      for (int i = 0; i < 20; i++, n++) {
        clusterOffsets.add(publish(publisher, n));
      }
      awaitStatus(portB, 200);

      // The subscriber on B, which stayed connected throughout, got every message that has an
      // offset, exactly once and in order; none of the ones that were local to A.
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < clusterOffsets.size(); i++) {
        got.add(remote.take("message").getLong("offset"));
      }
      assertEquals(clusterOffsets, got);
      remote.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(500));
      List<String> quietGot = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        quietGot.add(quiet.take("message").getString("data"));
      }
      assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), quietGot, "the silent channel's gap was filled");
      assertFalse(remote.isClosed() || local.isClosed() || publisher.isClosed(), "clients stayed connected");

      // A client that comes back with since recovers exactly what it missed.
      WsClient back = WsClient.to(vertx, portA).open();
      JsonObject ack = back.ok(sub.copy().put("since", new JsonObject().put("offset", moverSince)
          .put("epoch", epoch)));
      assertTrue(ack.getBoolean("recovered"));
      List<Long> recovered = new ArrayList<>();
      for (long o : clusterOffsets) {
        if (o > moverSince) {
          recovered.add(back.take("message").getLong("offset"));
        }
      }
      assertEquals(clusterOffsets.stream().filter(o -> o > moverSince).toList(), recovered);

      int gapFilled = gapFilled(b.output());
      System.out.printf("outage: %d published with offsets, %d local-only while Redis was down,"
          + " %d dropped by pub/sub at node B and recovered from history%n", clusterOffsets.size(), localOnly, gapFilled);
      // At least the 40 published while B was frozen; a few more if B resubscribed after it thawed.
      assertTrue(gapFilled >= droppedForB, "what pub/sub dropped for B came back from history: " + gapFilled);
      assertEquals(10, localOnly);
      List.of(publisher, local, remote, back, quiet).forEach(WsClient::close);
    } finally {
      vertx.close();
    }
  }

  private static Long publish(WsClient publisher, int n) {
    JsonObject ack = publisher.ok(new JsonObject().put("type", "publish").put("channel", "hist-live").put("data", n));
    return ack.getLong("offset");
  }

  private static void awaitStatus(int port, int status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (NodeProcess.status(port, "/health/ready") == status) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new AssertionError("/health/ready on " + port + " never answered " + status);
  }

  private static void signal(NodeProcess node, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(node.pid())).start();
    assertEquals(0, kill.waitFor());
  }

  private static int gapFilled(String log) {
    Matcher m = Pattern.compile("(\\d+) messages recovered from history after reconnect").matcher(log);
    int total = 0;
    while (m.find()) {
      total += Integer.parseInt(m.group(1));
    }
    return total;
  }
}
