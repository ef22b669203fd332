package chatcluster.node.broker;

import chatcluster.node.channel.Delivery;

import static chatcluster.cluster.testing.CallerContext.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.testing.CallerContext;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.history.HistoryPage;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Broker} (with its {@link HistoryStore}) must do; each implementation's test
 * extends this. The broker is started on one context, the node's, and called from another: every
 * Future must complete on the calling context.
 */
public abstract class BrokerContract {
  protected Vertx vertx;
  protected CallerContext node;
  private CallerContext caller;
  protected Broker broker;
  protected HistoryStore history;
  protected final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

  /** A started broker and its history store, fresh for each test. */
  protected abstract Broker newBroker(Vertx vertx) throws Exception;

  protected abstract HistoryStore historyOf(Broker broker);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    node = CallerContext.deploy(vertx);
    caller = CallerContext.deploy(vertx);
    broker = node.call(() -> {
      try {
        Broker b = newBroker(vertx);
        b.onDelivery(deliveries::add);
        b.onDirect(d -> Future.succeededFuture(d.device() != null && d.device().startsWith("here-") ? 2 : 0));
        return b.start().map(v -> b);
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    });
    history = historyOf(broker);
  }

  /** Closes from the node's context, unchecked: closing is not what this suite tests. */
  @AfterEach
  void stop() throws Exception {
    if (broker != null) {
      Promise<Void> closed = Promise.promise();
      node.context().runOnContext(v -> broker.close().onComplete(closed));
      await(closed.future());
    }
    await(vertx.close());
  }

  /** Calls from the caller's context and waits; fails when the Future completes on another context. */
  protected <T> T on(Supplier<Future<T>> action) throws Exception {
    return caller.call(action);
  }

  protected static Buffer prefix(String channel, Object data) {
    return FrameCodec.messagePrefix(channel, data, Sender.SERVER, 1L);
  }

  protected List<Delivery> awaitDeliveries(String channel, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<Delivery> got = deliveries.stream().filter(d -> channel.equals(d.channel())).toList();
      if (got.size() >= n) {
        return got;
      }
      Thread.sleep(10); // polling a bounded deadline
    }
    throw new AssertionError("fewer than " + n + " deliveries on " + channel + ": " + deliveries);
  }

  @Test
  void publishAssignsIncreasingOffsetsAndDeliversInOrderWithTheOffsetInTheFrame() throws Exception {
    ChannelOptions options = ChannelOptions.DEFAULTS;
    on(() -> broker.subscribe("ordered"));
    for (int i = 1; i <= 20; i++) {
      int n = i;
      assertEquals((long) i, on(() -> broker.publish("ordered", prefix("ordered", n), options)));
    }
    List<Delivery> got = awaitDeliveries("ordered", 20);
    String epoch = got.get(0).epoch();
    assertNotNull(epoch);
    for (int i = 0; i < 20; i++) {
      Delivery d = got.get(i);
      assertEquals(i + 1L, d.offset());
      assertEquals(epoch, d.epoch());
      JsonObject frame = new JsonObject(d.frame());
      assertEquals(i + 1L, frame.getLong("offset"));
      assertEquals(i + 1, frame.getInteger("data"));
    }
  }

  @Test
  void persistentHistoryIsBoundedAndReadFromAnOffsetWithGapDetection() throws Exception {
    ChannelOptions options = ChannelOptions.builder().persistent(true).historySize(5).build();
    for (int i = 1; i <= 8; i++) {
      int n = i;
      on(() -> broker.publish("kept", prefix("kept", n), options));
    }
    HistoryPage latest = on(() -> history.read("kept", null, 3, options));
    assertEquals(List.of(6L, 7L, 8L), latest.entries().stream().map(Delivery::offset).toList());
    assertEquals(8L, latest.position().offset());
    HistoryPage since = on(() -> history.read("kept", 5L, 100, options));
    assertEquals(List.of(6L, 7L, 8L), since.entries().stream().map(Delivery::offset).toList());
    assertTrue(since.complete());
    assertEquals(8, new JsonObject(since.entries().get(2).frame()).getInteger("data"));
    HistoryPage trimmed = on(() -> history.read("kept", 1L, 100, options));
    assertFalse(trimmed.complete(), "offsets 2 and 3 were trimmed");
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L), trimmed.entries().stream().map(Delivery::offset).toList());
    assertTrue(on(() -> history.read("kept", 8L, 100, options)).complete(), "nothing missed");
    assertFalse(on(() -> history.read("kept", 99L, 100, options)).complete(), "an offset from the future");
  }

  @Test
  void aChannelWithoutHistoryKeepsOffsetsButNoMessages() throws Exception {
    for (int i = 1; i <= 3; i++) {
      int n = i;
      on(() -> broker.publish("volatile", prefix("volatile", n), ChannelOptions.DEFAULTS));
    }
    HistoryPage page = on(() -> history.read("volatile", 0L, 100, ChannelOptions.DEFAULTS));
    assertEquals(3L, page.position().offset());
    assertEquals(List.of(), page.entries());
    assertEquals(page.position(), on(() -> history.position("volatile")));
    assertEquals(0L, on(() -> history.position("never-used")).offset());
  }

  @Test
  void eventsAndBroadcastsCarryNoOffset() throws Exception {
    on(() -> broker.subscribe("events"));
    on(() -> broker.emit("events", Buffer.buffer("{\"type\":\"event\"}")));
    on(() -> broker.broadcast(Buffer.buffer("{\"type\":\"broadcast\"}")));
    Delivery event = awaitDeliveries("events", 1).get(0);
    assertEquals(Delivery.NO_OFFSET, event.offset());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (deliveries.stream().noneMatch(Delivery::everyone) && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling a bounded deadline
    }
    Delivery broadcast = deliveries.stream().filter(Delivery::everyone).findFirst().orElseThrow();
    assertEquals("{\"type\":\"broadcast\"}", broadcast.frame().toString());
  }

  @Test
  void directSendsCountTheConnectionsReached() throws Exception {
    Buffer frame = Buffer.buffer("{\"type\":\"direct\"}");
    assertEquals(2, on(() -> broker.sendDirect(new Direct(null, "here-1", frame))));
    assertEquals(0, on(() -> broker.sendDirect(new Direct(null, "nowhere", frame))));
  }
}
