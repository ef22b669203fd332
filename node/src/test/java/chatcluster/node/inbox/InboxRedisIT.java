package chatcluster.node.inbox;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.NodeCluster;
import chatcluster.node.testing.RedisExtension;
import chatcluster.node.testing.TestRedis;
import chatcluster.node.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The inbox contract on Redis: three node processes, senders and recipients on different nodes. */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboxRedisIT extends InboxContract {
  private NodeCluster nodes;

  @BeforeAll
  void start(TestRedis redis) throws Exception {
    nodes = NodeCluster.start(3, "inbox", Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", "inbox-" + Ids.random(6) + ":",
        "WEBSOCKET_RATE_LIMIT", "0", "INBOX_ENABLED", "true", "INBOX_SIZE", String.valueOf(SIZE),
        "WEBSOCKET_AUTH_TOKEN", TOKEN, "WEBSOCKET_AUTH_CLAIMED_IDENTITY", "true", "RELAY_API_KEY", RELAY_KEY),
        "channels:\n  - name: \"room-*\"\n    persistent: true\n");
  }

  @AfterAll
  void stop() {
    nodes.close();
  }

  @Override
  int nodes() {
    return 3;
  }

  @Override
  int port(int n) {
    return nodes.port(n);
  }

  @Override
  WsClient open(int n, String user, String device) {
    return nodes.track(WsClient.to(nodes.vertx(), nodes.port(n)).uri("/ws?user=" + user + "&device=" + device)
        .header("Authorization", "Bearer " + TOKEN).open());
  }
}
