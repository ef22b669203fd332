package chatcluster.cluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStatusTest {
  private final ClusterStatus status = new ClusterStatus("ws://127.0.0.1:8080/ws", "dev", "redis://127.0.0.1:7000",
      42, 43, "/s/nginx", "/s/logs", List.of(new ClusterStatus.Node("node-1", 100, 9001, 5701, "/s/logs/node-1.log"),
          new ClusterStatus.Node("node-2", 101, 9002, 5702, "/s/logs/node-2.log")), "http://127.0.0.1:8080/admin/",
      "dev-admin-token-0123456789");

  @Test
  void travelsAsPropertiesUnchanged() {
    assertEquals(status, ClusterStatus.fromProperties(status.toProperties()));
  }

  @Test
  void theTableShowsTheUrlAndEveryNodeWithItsLog() {
    String table = status.table();
    assertTrue(table.contains("public URL  ws://127.0.0.1:8080/ws"), table);
    assertTrue(table.contains("node-1     100      127.0.0.1:9001    127.0.0.1:5701    /s/logs/node-1.log"), table);
    assertTrue(table.contains("node-2"), table);
    assertTrue(table.contains("console     http://127.0.0.1:8080/admin/  (admin token dev-admin-token-0123456789)"), table);
    assertTrue(table.lines().count() < 12, table);
  }
}
