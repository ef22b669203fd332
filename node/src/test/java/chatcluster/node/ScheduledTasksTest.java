package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled REST calls on a node alone: results, listing, cancelling, limits, the task file. */
class ScheduledTasksTest {
  static TestApi api;

  @TempDir
  Path dir;

  @BeforeAll
  static void startApi() throws Exception {
    api = new TestApi();
  }

  @AfterAll
  static void stopApi() throws Exception {
    api.close();
  }

  TestNode node(Path file, Consumer<chatcluster.node.config.NodeConfig.Builder> more) {
    return TestNode.start(c -> {
      c.set(ConfigOption.API_BASE_URL, api.baseUrl()).set(ConfigOption.TASKS_FILE, file.toString());
      more.accept(c);
    });
  }

  static JsonObject schedule(String path, long interval) {
    return new JsonObject().put("type", "request").put("method", "GET").put("path", path).put("interval", interval);
  }

  @Test
  void aTaskDeliversResultsToItsOwnerAndCanBeListedAndCancelled() throws Exception {
    try (TestNode node = node(dir.resolve("t.json"), c -> {})) {
      WsClient owner = node.client().uri("/ws?device=owner-1").open();
      WsClient otherTab = node.client().uri("/ws?device=owner-1").open();
      WsClient stranger = node.client().uri("/ws?device=someone-else").open();
      JsonObject ack = owner.ok(schedule("/count", 1));
      String task = ack.getString("task");
      assertTrue(task.startsWith("t-"));
      assertEquals(1, ack.getInteger("interval"));
      assertTrue(ack.getLong("next") > System.currentTimeMillis() - 1000);

      for (WsClient c : List.of(owner, otherTab)) {
        JsonObject run = c.take("task");
        assertEquals(task, run.getString("task"));
        assertEquals(200, run.getInteger("status"));
        assertTrue(run.getJsonObject("body").getLong("n") >= 1);
        assertTrue(run.getLong("ts") > 0);
      }
      owner.take("task");
      stranger.assertNone(f -> "task".equals(f.getString("type")), Duration.ZERO);

      JsonArray tasks = owner.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks");
      assertEquals(1, tasks.size());
      JsonObject listed = tasks.getJsonObject(0);
      assertEquals(task, listed.getString("task"));
      assertEquals("/count", listed.getString("path"));
      assertEquals("GET", listed.getString("method"));
      assertEquals(1, listed.getInteger("interval"));
      assertEquals(200, listed.getInteger("lastStatus"));
      assertEquals(0, stranger.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks").size());
      assertEquals("not_found", stranger.errorCode(new JsonObject().put("type", "cancel").put("task", task)),
          "only the owner device may cancel");

      assertEquals(task, owner.ok(new JsonObject().put("type", "cancel").put("task", task)).getString("task"));
      // A run the scheduler started before the cancel may still reach the API (it was in flight); counted
      // once it had 500 ms to land, nothing may come after.
      Thread.sleep(500);
      long calls = api.calls.stream().filter(c -> task.equals(c.task())).count();
      owner.assertNone(f -> "task".equals(f.getString("type")) && f.getLong("ts") > System.currentTimeMillis() + 100,
          Duration.ofMillis(1500));
      assertEquals(calls, api.calls.stream().filter(c -> task.equals(c.task())).count(), "no call after cancel");
      assertEquals("not_found", owner.errorCode(new JsonObject().put("type", "cancel").put("task", task)));
    }
  }

  @Test
  void intervalAndPerDeviceLimitsHold() {
    try (TestNode node = node(dir.resolve("l.json"), c -> c.set(ConfigOption.TASKS_MIN_INTERVAL, 5)
        .set(ConfigOption.TASKS_MAX_PER_DEVICE, 2))) {
      WsClient c = node.client().uri("/ws?device=limited").open();
      assertEquals("bad_request", c.errorCode(schedule("/count", 1)));
      c.ok(schedule("/count", 60));
      c.ok(schedule("/text", 60));
      assertEquals("rate_limited", c.errorCode(schedule("/count", 60)));
      assertEquals("bad_request", c.errorCode(schedule("/../admin", 60)), "tasks are checked like requests");
    }
  }

  @Test
  void tasksSurviveANodeRestartThroughTheTaskFile() throws Exception {
    Path file = dir.resolve("restart.json");
    String task;
    try (TestNode first = node(file, c -> {})) {
      WsClient c = first.client().uri("/ws?device=durable").open();
      task = c.ok(schedule("/count", 1)).getString("task");
      c.take("task");
    }
    JsonObject stored = new JsonObject(Files.readString(file));
    assertEquals(task, stored.getJsonArray("tasks").getJsonObject(0).getString("task"));
    assertEquals(List.of(), tempFiles(file), "the atomic write leaves no temporary file");
    Path interrupted = dir.resolve("restart.json4242.tmp");
    Files.writeString(interrupted, "{\"version\":1,\"tasks\":[{\"task\":");
    try (TestNode second = node(file, c -> {})) {
      assertEquals(List.of(), tempFiles(file), "what an interrupted write left is removed at start");
      WsClient c = second.client().uri("/ws?device=durable").open();
      JsonObject run = c.take("task");
      assertEquals(task, run.getString("task"), "the task runs again after the restart");
      c.ok(new JsonObject().put("type", "cancel").put("task", task));
    }
  }

  @Test
  void aTaskWhoseOwnerIsGoneLongerThanTheTtlEnds() throws Exception {
    Path file = dir.resolve("ttl.json");
    try (TestNode node = node(file, c -> c.set(ConfigOption.TASKS_OWNER_TTL, 1))) {
      WsClient c = node.client().uri("/ws?device=leaver").open();
      String task = c.ok(schedule("/count", 1)).getString("task");
      c.take("task");
      c.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      boolean gone = false;
      while (!gone && System.nanoTime() < deadline) {
        gone = !Files.readString(file).contains(task);
        if (!gone) {
          Thread.sleep(100); // polling a bounded deadline
        }
      }
      assertTrue(gone, "the task was removed from the task file");
      WsClient back = node.client().uri("/ws?device=leaver").open();
      assertEquals(0, back.ok(new JsonObject().put("type", "tasks")).getJsonArray("tasks").size());
    }
  }

  private static List<Path> tempFiles(Path file) throws Exception {
    try (Stream<Path> files = Files.list(file.getParent())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
