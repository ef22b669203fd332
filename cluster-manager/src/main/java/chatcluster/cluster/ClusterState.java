package chatcluster.cluster;

import io.vertx.core.Future;

/**
 * What nodes share about the cluster, as Futures only: every implementation completes them without
 * blocking the caller's event loop. The local implementation serves a node that runs alone.
 *
 * <p>Counters are named, non-negative and shared by every node of the cluster; a node's share is
 * released when it leaves (a dead node's share within the failure-detection window).
 */
public interface ClusterState {

  /**
   * Increments {@code counter} when its value is below {@code limit}; the Future holds whether it did.
   * The check and the increment are one atomic step across the cluster.
   */
  Future<Boolean> tryAcquire(String counter, long limit);

  /** Decrements {@code counter}, never below zero. */
  Future<Void> release(String counter);

  /** The counter's current value (0 when it was never set). */
  Future<Long> count(String counter);
}
