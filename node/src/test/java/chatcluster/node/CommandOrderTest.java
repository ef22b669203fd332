package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.Ids;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestApi;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One connection's commands take effect, and are answered, in the order sent, even when sent back to
 * back without waiting: on a node alone and on a Redis node alike.
 */
@ExtendWith(RedisExtension.class)
class CommandOrderTest {
  private static final int ROUNDS = 5;
  private static TestApi api;

  @BeforeAll
  static void startApi() throws Exception {
    api = new TestApi();
  }

  @AfterAll
  static void stopApi() throws Exception {
    api.close();
  }

  @Test
  void backToBackCommandsSeeEachOthersEffectsOnARedisNode(TestRedis redis) throws Exception {
    String prefix = "cmd-" + Ids.random(6) + ":";
    run(c -> c.set(ConfigOption.REDIS_URL, redis.url()).set(ConfigOption.REDIS_PREFIX, prefix));
  }

  @Test
  void backToBackCommandsSeeEachOthersEffectsOnANodeAlone() throws Exception {
    Path tasks = Files.createTempDirectory("cmd-order").resolve("tasks.json");
    run(c -> c.set(ConfigOption.TASKS_FILE, tasks.toString()));
  }

  private void run(Consumer<NodeConfig.Builder> backend) {
    try (TestNode node = TestNode.start(c -> {
      c.set(ConfigOption.API_BASE_URL, api.baseUrl()).set(ConfigOption.RATE_LIMIT, 0)
          .set(ConfigOption.EVENT_LOOPS, 2);
      backend.accept(c);
    })) {
      node.node.createChannel("room-*", ChannelOptions.builder().persistent(true).presence(true).build());
      for (int round = 0; round < ROUNDS; round++) {
        String device = "dev-" + round;
        WsClient c = node.client().uri("/ws?user=u-" + round + "&device=" + device).open();
        String task = c.ok(new JsonObject().put("type", "request").put("method", "GET").put("path", "/count")
            .put("interval", 60)).getString("task");
        String channel = "room-" + round;
        List<JsonObject> commands = List.of(
            cmd(1, "subscribe").put("channel", channel),
            cmd(2, "presence").put("channel", channel),
            cmd(3, "publish").put("channel", channel).put("data", "first"),
            cmd(4, "publish").put("channel", channel).put("data", "second"),
            cmd(5, "history").put("channel", channel),
            cmd(6, "tasks"),
            cmd(7, "cancel").put("task", task),
            cmd(8, "tasks"),
            cmd(9, "ping"));
        commands.forEach(c::send);
        List<JsonObject> answers = c.takeAll(f -> f.containsKey("id") && f.getValue("id") != null, commands.size(),
            Duration.ofSeconds(10));
        for (int i = 0; i < commands.size(); i++) {
          assertEquals(i + 1, answers.get(i).getInteger("id"), "answers in command order: " + answers);
          assertEquals(i == 8 ? "pong" : "ack", answers.get(i).getString("type"), () -> "" + answers);
        }
        JsonObject presence = answers.get(1).getJsonObject("result");
        assertEquals(1, presence.getInteger("count"), "presence after the subscribe ack lists the caller");
        assertEquals(device, presence.getJsonArray("members").getJsonObject(0).getString("device"));
        JsonArray history = answers.get(4).getJsonObject("result").getJsonArray("messages");
        assertEquals(2, history.size(), "history sees the caller's earlier publishes");
        assertEquals("first", history.getJsonObject(0).getString("data"));
        assertEquals("second", history.getJsonObject(1).getString("data"));
        assertTrue(ids(answers.get(5)).contains(task), "the task is listed before the cancel");
        assertEquals(task, answers.get(6).getJsonObject("result").getString("task"));
        assertTrue(ids(answers.get(7)).isEmpty(), "tasks after cancel omits the cancelled task");
        c.close();
      }
    }
  }

  private static JsonObject cmd(int id, String type) {
    return new JsonObject().put("type", type).put("id", id);
  }

  private static List<String> ids(JsonObject tasksAck) {
    return tasksAck.getJsonObject("result").getJsonArray("tasks").stream()
        .map(t -> ((JsonObject) t).getString("task")).toList();
  }
}
