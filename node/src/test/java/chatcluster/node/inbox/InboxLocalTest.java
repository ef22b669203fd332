package chatcluster.node.inbox;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The inbox contract on the embedded default: one node, everything in memory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboxLocalTest extends InboxContract {
  private TestNode node;

  @BeforeAll
  void start() {
    node = TestNode.start(c -> c.set(ConfigOption.INBOX_ENABLED, true).set(ConfigOption.INBOX_SIZE, SIZE)
        .set(ConfigOption.AUTH_TOKEN, TOKEN).set(ConfigOption.RATE_LIMIT, 0)
        .set(ConfigOption.RELAY_API_KEY, RELAY_KEY));
    node.node.createChannel("room-*", ChannelOptions.builder().persistent(true).build());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Override
  int nodes() {
    return 1;
  }

  @Override
  int port(int n) {
    return node.port();
  }

  @Override
  WsClient open(int n, String user, String device) {
    return node.client().uri("/ws?user=" + user + "&device=" + device).header("Authorization", "Bearer " + TOKEN)
        .open();
  }

  @org.junit.jupiter.api.Test
  void anInboxLastsItsTtlAfterItsLastMessageAndTheDeviceIsToldWhatWentWithIt() throws Exception {
    try (TestNode brief = TestNode.start(c -> c.set(ConfigOption.INBOX_ENABLED, true).set(ConfigOption.INBOX_TTL, 1)
        .set(ConfigOption.AUTH_TOKEN, TOKEN))) {
      java.util.function.BiFunction<String, String, WsClient> open = (user, device) -> brief.client()
          .uri("/ws?user=" + user + "&device=" + device).header("Authorization", "Bearer " + TOKEN).open();
      WsClient sender = open.apply("ttl-sender", "s");
      for (int i = 1; i <= 3; i++) {
        sender.ok(send("gus", i, i));
      }
      Thread.sleep(1500);
      WsClient gus = open.apply("gus", "gus-1");
      io.vertx.core.json.JsonObject gap = gus.take(f -> "inbox_gap".equals(f.getString("type")));
      org.junit.jupiter.api.Assertions.assertEquals(1, gap.getLong("from"));
      org.junit.jupiter.api.Assertions.assertEquals(3, gap.getLong("to"));
      gus.assertNone(f -> "direct".equals(f.getString("type")), java.time.Duration.ofMillis(300));
    }
  }
}
