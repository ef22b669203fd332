package chatcluster.node.core;

import io.vertx.core.Future;

/**
 * One command as a connection's {@link Intake} runs it, for either protocol.
 *
 * @param applied completes when the command has taken effect as far as later commands can tell (for
 *                a publish: handed, in order, to the node's ordered path), so the next one may start
 * @param answer  what to write back (ack, error, or a subscribe's ack with its recovered messages);
 *                written only after every earlier command's answer. Never fails.
 */
public record Step(Future<?> applied, Future<Runnable> answer) {

  /** A command that takes effect when it is answered. */
  public static Step serial(Future<Runnable> answer) {
    return new Step(answer, answer);
  }

  public static Step done(Runnable answer) {
    return serial(Future.succeededFuture(answer));
  }
}
