package chatcluster.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.List;

/**
 * What nodes share about the cluster, as Futures only.
 *
 * <p><b>Threading.</b> Any thread may call; no call blocks the calling thread, so event loops may
 * call freely. Every Future completes on the caller's context: callbacks attached by code running on
 * a Vert.x context run on that same context, whichever thread did the work (an implementation hops
 * back from its client's threads and from worker threads). From a thread without a context, callbacks
 * run on a context the implementation's Vert.x creates for that thread. Membership handlers run on
 * the context that called {@link #onMembership}, one change after the other, in the order the
 * implementation learned of them.
 *
 * <p>Counters are named, non-negative and shared by every node of the cluster; a node's share is
 * released when it leaves (a dead node's share within the failure-detection window).
 *
 * <p>A lease names an owner for a while: at most one live node holds a lease at a time, the holder
 * renews it by acquiring again before it expires, and a dead holder's leases pass to others as soon
 * as the cluster notices the death (at the latest when they expire).
 */
public interface ClusterState {

  /** This node's id. */
  String nodeId();

  /**
   * Increments {@code counter} when its value is below {@code limit}; the Future holds whether it did.
   * The check and the increment are one atomic step across the cluster.
   */
  Future<Boolean> tryAcquire(String counter, long limit);

  /** Decrements this node's share of {@code counter}, never below zero. */
  Future<Void> release(String counter);

  /** The counter's current value over all nodes (0 when it was never set). */
  Future<Long> count(String counter);

  /** The live nodes, this one included. */
  Future<List<NodeInfo>> nodes();

  /** Publishes this node's directory entry (its address and connection count). */
  Future<Void> publish(NodeInfo self);

  /** Registers for nodes joining and leaving; {@code handler} runs on the calling context. */
  void onMembership(Handler<MembershipChange> handler);

  /** Takes, or renews, the lease {@code name} for {@code ttl}; true when this node holds it afterwards. */
  Future<Boolean> acquireLease(String name, Duration ttl);

  /** Gives the lease up if this node holds it. */
  Future<Void> releaseLease(String name);

  /** Whether this node is currently part of the cluster (always true alone). */
  boolean joined();

  /** Leaves the cluster; a node alone has nothing to leave. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
