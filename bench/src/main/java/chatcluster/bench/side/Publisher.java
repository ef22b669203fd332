package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Handler;

/**
 * A publishing client of a target, as its users publish: over its own WebSocket (ChatCluster,
 * Socket.IO) or by HTTP POST (nchan). Every method is called on {@link #context()}.
 */
public interface Publisher {
  /** Sends one publish; {@code done} runs on the context with true once the server acknowledged it. */
  void publish(String channel, String payload, Handler<Boolean> done);

  /** The event loop this publisher's connection lives on. */
  Context context();

  void close();
}
