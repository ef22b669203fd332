package chatcluster.node.hooks;


import io.vertx.core.Future;

/**
 * Runs when a connection has authenticated ({@code connection.open}, before the welcome frame) or has
 * closed ({@code connection.close}). A failed {@code connection.open} Future closes the connection:
 * with 4003 for a {@code ChatException} of code {@code forbidden} or {@code unauthorized} (4001), with
 * 1011 otherwise. Runs on the node's event loop: do not block.
 */
@FunctionalInterface
public interface ConnectionHook {
  Future<Void> handle(ConnectionInfo connection);
}
