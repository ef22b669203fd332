package chatcluster.node.lb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages published without pause (one every 20 ms) to subscribers on every node while a test
 * reloads or rescales the cluster: a stalled or dropped path shows as a subscriber that stops
 * receiving.
 */
final class Traffic implements AutoCloseable {
  static final String CHANNEL = "traffic";

  private final WsClient publisher;
  private final List<WsClient> subscribers;
  private final AtomicInteger published = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  /** The publisher and subscribers stay open (the test owns them); {@link #close()} only stops publishing. */
  Traffic(WsClient publisher, List<WsClient> subscribers) {
    this.publisher = publisher;
    this.subscribers = new ArrayList<>(subscribers);
    this.thread = new Thread(this::run, "traffic");
    thread.setDaemon(true);
  }

  void start() {
    publisher.ok(new JsonObject().put("type", "subscribe").put("channel", CHANNEL));
    thread.start();
  }

  private void run() {
    while (running) {
      int seq = published.get() + 1;
      if (!publisher.trySend(new JsonObject().put("type", "publish").put("channel", CHANNEL).put("data", seq))) {
        return;
      }
      published.set(seq);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  int published() {
    return published.get();
  }

  boolean publisherClosed() {
    return publisher.isClosed();
  }

  /** Forgets subscribers whose node was killed. */
  void dropClosedSubscribers() {
    subscribers.removeIf(WsClient::isClosed);
  }

  /** Waits until every subscriber has received a message published from now on. */
  void awaitDelivered() {
    int from = published.get() + 1;
    assertTrue(running && !publisher.isClosed(), "publisher stopped");
    for (WsClient s : subscribers) {
      s.take(f -> "message".equals(f.getString("type")) && CHANNEL.equals(f.getString("channel"))
          && f.getInteger("data", 0) >= from);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
