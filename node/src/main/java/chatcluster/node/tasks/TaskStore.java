package chatcluster.node.tasks;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where scheduled tasks live, so that they survive restarts: a file on a node alone, Redis in a
 * cluster. Called on the node's event loop; never blocks it.
 */
public interface TaskStore {
  /** Reads the stored tasks (at start, and each scheduler tick in a cluster). */
  Future<List<ScheduledTask>> all();

  Future<ScheduledTask> get(String id);

  /** Adds or replaces a task. */
  Future<Void> put(ScheduledTask task);

  Future<Void> remove(String id);

  /** Completes when every change made so far is durable (the node waits for it when it stops). */
  default Future<Void> flush() {
    return Future.succeededFuture();
  }
}
