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
}
