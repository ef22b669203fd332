package chatcluster.node.transport;

import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an accepted WebSocket the write path Vert.x uses in its strict thread mode: writes go straight
 * to the socket's pipeline instead of through a multi-producer queue. Every connection carries such
 * a queue otherwise, whose first chunk alone is about 4 KB of heap, a quarter of what an idle
 * connection cost; the node never writes to a connection from another thread (connections are
 * confined to their event loop), so the queue buys nothing here. Vert.x 5.0 applies strict thread
 * mode to HTTP connections ({@code HttpServerOptions.setStrictThreadMode}) but not yet to the
 * WebSocket connection behind an upgrade, hence this reach into its internals, isolated here and
 * pinned with the Vert.x version: when the fields are not found, connections keep the queue and the
 * node logs it once.
 */
final class LoopConfinedWrites {
  private static final Logger log = LoggerFactory.getLogger(LoopConfinedWrites.class);
  private static final Field CONNECTION;
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT_QUEUE;

  static {
    Field connection = null;
    Field queue = null;
    Constructor<?> direct = null;
    try {
      Class<?> base = Class.forName("io.vertx.core.http.impl.WebSocketImplBase");
      Class<?> vertxConnection = Class.forName("io.vertx.core.net.impl.VertxConnection");
      connection = base.getDeclaredField("conn");
      queue = vertxConnection.getDeclaredField("outboundMessageQueue");
      direct = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue")
          .getDeclaredConstructor(vertxConnection);
      connection.setAccessible(true);
      queue.setAccessible(true);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.info("WebSocket connections keep Vert.x's write queue (about 4 KB each): {}", e.toString());
      connection = null;
    }
    CONNECTION = connection;
    QUEUE = queue;
    DIRECT_QUEUE = direct;
  }

  private LoopConfinedWrites() {}

  /**
   * Swaps the WebSocket's write queue for direct writes. Call on the socket's event loop right after
   * the upgrade, before anything is written to it; false when it could not be done.
   */
  static boolean apply(ServerWebSocket ws) {
    if (CONNECTION == null) {
      return false;
    }
    try {
      Object connection = CONNECTION.get(ws);
      QUEUE.set(connection, DIRECT_QUEUE.newInstance(connection));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("WebSocket keeps Vert.x's write queue: {}", e.toString());
      return false;
    }
  }
}
