package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a clustered node logs: no JDK module warnings, no CP warning, and a graceful leave as a leave. */
@ExtendWith(RedisExtension.class)
class ClusteredStartIT {
  @Test
  void clusteredStartIsQuietAndAGracefulLeaveIsLoggedAsALeave(TestRedis redis) throws Exception {
    int[] ports = {NodeProcess.freePort(), NodeProcess.freePort()};
    int[] hazelcast = {NodeProcess.freePort(), NodeProcess.freePort()};
    String members = "127.0.0.1:" + hazelcast[0] + ",127.0.0.1:" + hazelcast[1];
    String cluster = "quiet-" + Ids.random(6);
    NodeProcess[] nodes = new NodeProcess[2];
    try {
      for (int i = 0; i < 2; i++) {
        Map<String, String> env = new HashMap<>(Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", cluster + ":",
            "CLUSTER_NAME", cluster, "CLUSTER_MEMBERS", members, "CLUSTER_HOST", "127.0.0.1",
            "CLUSTER_PORT", String.valueOf(hazelcast[i]), "WEBSOCKET_HOST", "127.0.0.1",
            "WEBSOCKET_PORT", String.valueOf(ports[i]), "NODE_ID", "quiet-" + (i + 1)));
        env.put("WEBSOCKET_DRAIN_TIMEOUT", "1");
        nodes[i] = NodeProcess.start(env);
      }
      for (int i = 0; i < 2; i++) {
        nodes[i].awaitReady(ports[i], Duration.ofSeconds(60));
      }
      nodes[1].terminate();
      nodes[1].awaitExit(Duration.ofSeconds(30));
      String leave = "node quiet-2 left the cluster";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!nodes[0].output().contains(leave) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
      String out = nodes[0].output() + nodes[1].output();
      assertFalse(out.contains("--add-opens"), out);
      assertFalse(out.contains("CP Subsystem"), out);
      assertTrue(nodes[0].output().contains(leave), nodes[0].output());
      assertFalse(nodes[0].output().contains("is silent"), nodes[0].output());
    } finally {
      for (NodeProcess n : nodes) {
        if (n != null) {
          n.close();
        }
      }
    }
  }
}
