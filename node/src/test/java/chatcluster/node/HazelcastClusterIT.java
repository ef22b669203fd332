package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Nodes that also form a Hazelcast cluster (TCP-IP member list, a cluster name of their own):
 * counters and membership through Hazelcast, messages through Redis.
 */
class HazelcastClusterIT extends ClusterContract {
  private final String clusterName = "it-" + Ids.random(8);
  private final int[] hazelcastPorts = new int[3];
  private String members;

  @Override
  Map<String, String> clusterEnv(int i) throws Exception {
    if (members == null) {
      StringBuilder list = new StringBuilder();
      for (int n = 0; n < 3; n++) {
        hazelcastPorts[n] = NodeProcess.freePort();
        list.append(n == 0 ? "" : ",").append("127.0.0.1:").append(hazelcastPorts[n]);
      }
      members = list.toString();
    }
    return Map.of("CLUSTER_NAME", clusterName, "CLUSTER_MEMBERS", members, "CLUSTER_HOST", "127.0.0.1",
        "CLUSTER_PORT", String.valueOf(hazelcastPorts[i]));
  }

  @Test
  @Order(8)
  void sigtermDrainsLeavesTheClusterAndExitsPromptly() throws Exception {
    NodeProcess b = nodes.get(1);
    long start = System.nanoTime();
    b.terminate();
    b.awaitExit(Duration.ofSeconds(30));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 5_000, "exited " + ms + " ms after SIGTERM");
    assertTrue(b.output().contains("node stopped"), b.output());
    assertFalse(b.output().contains("did not finish cleanly"), b.output());
  }
}
