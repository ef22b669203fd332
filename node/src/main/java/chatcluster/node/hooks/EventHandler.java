package chatcluster.node.hooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Handles a custom event name. Runs before the event reaches the channel's subscribers; its result's
 * fields are added to the sender's ack, and a failed Future rejects the event (same mapping as
 * {@link MessageHook}). Runs on the node's event loop: do not block.
 */
@FunctionalInterface
public interface EventHandler {
  Future<JsonObject> handle(ReceivedEvent event);
}
