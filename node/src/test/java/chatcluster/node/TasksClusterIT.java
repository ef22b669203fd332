package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scheduled task on three node processes (Hazelcast leases, Redis store): one API call per interval
 * in the whole cluster, takeover after kill -9 of its owner, and resumption after a cluster restart.
 */
@ExtendWith(RedisExtension.class)
class TasksClusterIT {

  @Test
  void oneCallPerIntervalInTheClusterTakeoverAfterKillAndResumeAfterRestart(TestRedis redis) throws Exception {
    Vertx vertx = Vertx.vertx();
    String prefix = "tasks-" + Ids.random(5) + ":";
    String cluster = "tasks-" + Ids.random(6);
    int[] ws = new int[3];
    int[] hz = new int[3];
    for (int i = 0; i < 3; i++) {
      ws[i] = NodeProcess.freePort();
      hz[i] = NodeProcess.freePort();
    }
    String members = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
    List<NodeProcess> nodes = new ArrayList<>();
    try (TestApi api = new TestApi()) {
      for (int i = 0; i < 3; i++) {
        nodes.add(start(redis, api, prefix, cluster, members, ws[i], hz[i], i));
      }
      for (int i = 0; i < 3; i++) {
        nodes.get(i).awaitReady(ws[i], Duration.ofSeconds(90));
      }
      WsClient owner = WsClient.to(vertx, ws[0]).uri("/ws?device=scheduler").open();
      String task = owner.ok(new JsonObject().put("type", "request").put("method", "GET").put("path", "/count")
          .put("interval", 1)).getString("task");
      owner.take("task");

      // Ten intervals: one call each, from one node at a time.
      long from = System.currentTimeMillis();
      Thread.sleep(10_000); // the window being counted
      List<TestApi.Call> window = calls(api, task, from, from + 10_000);
      System.out.printf("tasks: %d calls in 10 intervals, from %s%n", window.size(),
          window.stream().map(TestApi.Call::node).collect(Collectors.toSet()));
      assertTrue(window.size() >= 9 && window.size() <= 11, "calls in 10 intervals: " + window.size());
      for (int i = 1; i < window.size(); i++) {
        long gap = window.get(i).at() - window.get(i - 1).at();
        assertTrue(gap > 500, "two calls " + gap + " ms apart: the task ran twice in one interval");
      }

      // kill -9 the node that runs it: another takes over within two intervals.
      String runner = window.get(window.size() - 1).node();
      int victim = "ABC".indexOf(runner.charAt(runner.length() - 1));
      long killedAt = System.currentTimeMillis();
      nodes.get(victim).process().destroyForcibly();
      TestApi.Call resumed = awaitCall(api, task, c -> c.at() > killedAt && !c.node().equals(runner), 10_000);
      long takeover = resumed.at() - killedAt;
      System.out.printf("tasks: %s killed, %s took over after %d ms%n", runner, resumed.node(), takeover);
      assertTrue(takeover <= 2_000 + 300, "took over after " + takeover + " ms");
      assertNotEquals(runner, resumed.node());

      // The whole cluster restarts: the task lives in Redis and resumes.
      for (NodeProcess n : nodes) {
        n.close();
      }
      nodes.clear();
      long restartedAt = System.currentTimeMillis();
      for (int i = 0; i < 3; i++) {
        nodes.add(start(redis, api, prefix, cluster, members, ws[i], hz[i], i));
      }
      for (int i = 0; i < 3; i++) {
        nodes.get(i).awaitReady(ws[i], Duration.ofSeconds(90));
      }
      awaitCall(api, task, c -> c.at() > restartedAt, 15_000);
      WsClient back = WsClient.to(vertx, ws[2]).uri("/ws?device=scheduler").open();
      assertEquals(task, back.take("task").getString("task"), "results reach the owner on another node");
      assertEquals(Set.of(task), back.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks").stream()
          .map(t -> ((JsonObject) t).getString("task")).collect(Collectors.toSet()));
      back.close();
    } finally {
      nodes.forEach(NodeProcess::close);
      vertx.close();
    }
  }

  private static NodeProcess start(TestRedis redis, TestApi api, String prefix, String cluster, String members,
                                   int ws, int hz, int i) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", prefix,
        "CLUSTER_NAME", cluster, "CLUSTER_MEMBERS", members, "CLUSTER_HOST", "127.0.0.1",
        "CLUSTER_PORT", "" + hz, "WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + ws,
        "NODE_ID", "node-" + "ABC".charAt(i), "API_BASE_URL", api.baseUrl()));
    env.put("WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true");
    return NodeProcess.start(env);
  }

  private static List<TestApi.Call> calls(TestApi api, String task, long from, long to) {
    return api.calls.stream().filter(c -> task.equals(c.task()) && c.at() >= from && c.at() < to).toList();
  }

  private static TestApi.Call awaitCall(TestApi api, String task, java.util.function.Predicate<TestApi.Call> match,
                                        long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (TestApi.Call c : api.calls) {
        if (task.equals(c.task()) && match.test(c)) {
          return c;
        }
      }
      Thread.sleep(20); // polling a bounded deadline
    }
    throw new AssertionError("no matching call of " + task + " within " + timeoutMs + " ms");
  }
}
