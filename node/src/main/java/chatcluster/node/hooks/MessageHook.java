package chatcluster.node.hooks;


import io.vertx.core.Future;

/**
 * Runs for every message a client publishes ({@code message.received}), globally or for one channel,
 * before the message is stored or delivered. A failed Future rejects the message: the publisher gets
 * the error (a {@code ChatException}'s own code, {@code forbidden} for any other failure, with its
 * message) and nobody receives it. Runs on the node's event loop: do not block.
 */
@FunctionalInterface
public interface MessageHook {
  Future<Void> handle(ReceivedMessage message);
}
