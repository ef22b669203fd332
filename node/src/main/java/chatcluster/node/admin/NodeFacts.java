package chatcluster.node.admin;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * What the console needs to know of its node that only the node's composition holds: where it is,
 * since when, its loops, whether it drains, and how to drain it. Any thread.
 */
public interface NodeFacts {
  /** Where clients reach the node (host:port), as in the node directory. */
  String address();

  /** When the node started, epoch ms. */
  long startedAt();

  /** Connections per event loop. */
  List<Integer> loopConnections();

  /** Null while the node takes connections, else why not (starting, draining, redis unreachable, ...). */
  String notReadyReason();

  boolean draining();

  /** Turns the node not ready and closes its clients with 1012 over {@code window}; completes when they are closed. */
  Future<Void> drain(Duration window);
}
