package chatcluster.node.tasks;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where scheduled tasks live, so that they survive restarts: a file on a node alone, Redis in a
 * cluster.
 *
 * <p><b>Threading.</b> Any thread may call; no call blocks the caller. Every Future completes on the
 * caller's context. Changes from one context take effect in the order they were made.
 */
public interface TaskStore {
  /** Reads the stored tasks (at start, and each scheduler tick in a cluster), in no particular order. */
  Future<List<ScheduledTask>> all();

  /** The task with this id, or null. */
  Future<ScheduledTask> get(String id);

  /** Adds or replaces a task. */
  Future<Void> put(ScheduledTask task);

  /** Removes a task; nothing to do when there is none with this id. */
  Future<Void> remove(String id);

  /** Completes when every change made so far is durable (the node waits for it when it stops). */
  /** Reads what the store keeps before the node starts (a file); nothing to do for a server-side store. */
  default Future<Void> load() {
    return Future.succeededFuture();
  }

  default Future<Void> flush() {
    return Future.succeededFuture();
  }
}
