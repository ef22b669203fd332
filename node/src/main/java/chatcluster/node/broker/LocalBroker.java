package chatcluster.node.broker;

import chatcluster.node.channel.Delivery;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.history.LocalHistoryStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.function.Function;

/** The broker of a node that runs alone: delivery is a direct call, history lives in memory. */
public final class LocalBroker implements Broker {
  private final LocalHistoryStore history;
  private Handler<Delivery> handler = d -> {};
  private Function<Direct, Future<Integer>> directHandler = d -> Future.succeededFuture(0);
  private Function<DeviceCommand, Future<Integer>> deviceHandler = d -> Future.succeededFuture(0);
  private Function<Buffer, Future<Buffer>> queryHandler = q -> Future.failedFuture("no query handler");

  public LocalBroker(LocalHistoryStore history) {
    this.history = history;
  }

  @Override
  public void onDelivery(Handler<Delivery> handler) {
    this.handler = handler;
  }

  @Override
  public Future<Long> publish(String channel, Buffer messagePrefix, ChannelOptions options) {
    Delivery delivery = history.append(channel, messagePrefix, options);
    handler.handle(delivery);
    return Future.succeededFuture(delivery.offset());
  }

  /**
   * Offsets of keyed publishes with when they are forgotten (ms), oldest first (one TTL for all:
   * insertion order is expiry order); bounded by {@link #MAX_KEYS}, the oldest going first.
   */
  private final java.util.LinkedHashMap<String, long[]> keys = new java.util.LinkedHashMap<>();
  static final int MAX_KEYS = 100_000;

  @Override
  public Future<Long> publishOnce(String channel, Buffer messagePrefix, ChannelOptions options, String key,
                                  java.time.Duration keyTtl) {
    long now = System.currentTimeMillis();
    for (var it = keys.values().iterator(); it.hasNext(); ) {
      if (it.next()[1] > now && keys.size() < MAX_KEYS) {
        break;
      }
      it.remove(); // expired, or the map is full: the oldest goes
    }
    String k = channel + "\n" + key;
    long[] known = keys.get(k);
    if (known != null && known[1] > now) {
      return Future.succeededFuture(known[0]);
    }
    Delivery delivery = history.append(channel, messagePrefix, options);
    keys.put(k, new long[] {delivery.offset(), now + keyTtl.toMillis()});
    handler.handle(delivery);
    return Future.succeededFuture(delivery.offset());
  }

  @Override
  public Future<Void> emit(String channel, Buffer frame) {
    handler.handle(Delivery.unordered(channel, frame));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> broadcast(Buffer frame) {
    handler.handle(Delivery.unordered(null, frame));
    return Future.succeededFuture();
  }

  @Override
  public void onDirect(Function<Direct, Future<Integer>> handler) {
    this.directHandler = handler;
  }

  @Override
  public Future<Integer> sendDirect(Direct direct) {
    return directHandler.apply(direct);
  }

  @Override
  public void onDeviceCommand(Function<DeviceCommand, Future<Integer>> handler) {
    this.deviceHandler = handler;
  }

  @Override
  public Future<Integer> sendDeviceCommand(DeviceCommand command) {
    return deviceHandler.apply(command);
  }

  @Override
  public void onQuery(Function<Buffer, Future<Buffer>> handler) {
    this.queryHandler = handler;
  }

  /** Alone, every question is this node's own. */
  @Override
  public Future<Buffer> askNode(String nodeId, Buffer question, java.time.Duration timeout) {
    return queryHandler.apply(question);
  }

  @Override
  public Future<Void> connectionOpened(String user, String device) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> connectionClosed(String user, String device) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> subscribe(String channel) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> unsubscribe(String channel) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
