package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.NodeProcess;
import chatcluster.node.testing.TestApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task file as users meet it: a node process whose file was left half-written by a crash. */
class TaskFileIT {
  @TempDir
  Path dir;

  @Test
  void aCorruptTaskFileIsMovedAsideAndReportedAndTheNodeStarts() throws Exception {
    Path file = dir.resolve("corrupt.json");
    try (TestApi api = new TestApi()) {
      Files.writeString(file, "{\"version\":1,\"tasks\":[{\"task\":\"t-1\", truncated by a crash");
      int port = NodeProcess.freePort();
      try (NodeProcess node = NodeProcess.start(Map.of("WEBSOCKET_HOST", "127.0.0.1", "WEBSOCKET_PORT", "" + port,
          "API_BASE_URL", api.baseUrl(), "TASKS_FILE", file.toString()))) {
        node.awaitReady(port, Duration.ofSeconds(60));
        List<Path> aside;
        try (Stream<Path> files = Files.list(dir)) {
          aside = files.filter(p -> p.getFileName().toString().startsWith("corrupt.json.corrupt-")).toList();
        }
        assertEquals(1, aside.size());
        assertTrue(Files.readString(aside.get(0)).contains("truncated by a crash"), "kept as it was");
        assertFalse(Files.exists(file));
        assertTrue(node.output().contains("is corrupt") && node.output().contains(aside.get(0).toString()),
            node.output());
      }
    }
  }
}
