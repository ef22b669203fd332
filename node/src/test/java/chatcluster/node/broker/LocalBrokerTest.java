package chatcluster.node.broker;

import chatcluster.node.history.HistoryStore;
import chatcluster.node.history.LocalHistoryStore;
import io.vertx.core.Vertx;

class LocalBrokerTest extends BrokerContract {
  private LocalHistoryStore store;

  @Override
  protected Broker newBroker(Vertx vertx) {
    store = new LocalHistoryStore(System::currentTimeMillis);
    return new LocalBroker(store);
  }

  @Override
  protected HistoryStore historyOf(Broker broker) {
    return store;
  }
}
