package chatcluster.node.broker;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.history.LocalHistoryStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/** The broker of a node that runs alone: delivery is a direct call, history lives in memory. */
public final class LocalBroker implements Broker {
  private final LocalHistoryStore history;
  private Handler<Delivery> handler = d -> {};

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

  @Override
  public Future<Void> emit(String channel, Buffer frame) {
    handler.handle(new Delivery(channel, Delivery.NO_OFFSET, frame));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> broadcast(Buffer frame) {
    handler.handle(new Delivery(null, Delivery.NO_OFFSET, frame));
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
