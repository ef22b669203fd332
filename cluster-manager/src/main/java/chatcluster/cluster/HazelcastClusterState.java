package chatcluster.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterState} on Hazelcast. Counters are one map entry each holding every node's share and
 * are changed by entry processors, which run atomically on the entry's owner; leases are map entries
 * with a TTL. When a member leaves, the oldest remaining member removes the leaver's counter shares,
 * directory entry and leases.
 *
 * <p><b>Threading.</b> Any thread may call. Non-blocking calls use Hazelcast's async API and hop from
 * Hazelcast's threads back to the context of the call ({@code vertx.getOrCreateContext()} when it is
 * made); blocking ones (the directory scan, {@link #close}) run on Vert.x worker threads through
 * {@code executeBlocking} on that same context, so their Futures complete there too. Membership
 * handlers run on the context that registered them.
 */
public final class HazelcastClusterState implements ClusterState {
  private static final Logger log = LoggerFactory.getLogger(HazelcastClusterState.class);
  static final String COUNTERS = "chatcluster.counters";
  static final String LEASES = "chatcluster.leases";
  static final String DIRECTORY = "chatcluster.directory";

  private final Vertx vertx;
  private final HazelcastInstance hz;
  private final String nodeId;
  private final IMap<String, Shares> counters;
  private final IMap<String, String> leases;
  private final IMap<String, String> directory;
  private final List<Registered> handlers = new CopyOnWriteArrayList<>();

  /** A membership handler and the context it runs on. */
  private record Registered(Context context, Handler<MembershipChange> handler) {
    void handle(MembershipChange change) {
      context.runOnContext(v -> handler.handle(change));
    }
  }

  private HazelcastClusterState(Vertx vertx, HazelcastInstance hz, String nodeId) {
    this.vertx = vertx;
    this.hz = hz;
    this.nodeId = nodeId;
    this.counters = hz.getMap(COUNTERS);
    this.leases = hz.getMap(LEASES);
    this.directory = hz.getMap(DIRECTORY);
  }

  /** Wraps a joined Hazelcast member; registering the membership listener is a blocking call. */
  public static Future<HazelcastClusterState> start(Vertx vertx, HazelcastInstance hz, String nodeId) {
    HazelcastClusterState state = new HazelcastClusterState(vertx, hz, nodeId);
    return vertx.executeBlocking(() -> {
      hz.getCluster().addMembershipListener(state.new Listener());
      return state;
    });
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  // ------------------------------------------------------------------ counters

  /** Every node's share of one counter. */
  static final class Shares implements Serializable {
    private static final long serialVersionUID = 1L;
    final HashMap<String, Long> byNode = new HashMap<>();

    long total() {
      return byNode.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  static final class Acquire implements EntryProcessor<String, Shares, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final long limit;

    Acquire(String node, long limit) {
      this.node = node;
      this.limit = limit;
    }

    @Override
    public Boolean process(Map.Entry<String, Shares> entry) {
      Shares shares = entry.getValue() == null ? new Shares() : entry.getValue();
      if (shares.total() >= limit) {
        return false;
      }
      shares.byNode.merge(node, 1L, Long::sum);
      entry.setValue(shares);
      return true;
    }
  }

  static final class Release implements EntryProcessor<String, Shares, Void> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final boolean all;

    Release(String node, boolean all) {
      this.node = node;
      this.all = all;
    }

    @Override
    public Void process(Map.Entry<String, Shares> entry) {
      Shares shares = entry.getValue();
      if (shares == null || !shares.byNode.containsKey(node)) {
        return null;
      }
      long left = all ? 0 : shares.byNode.get(node) - 1;
      if (left <= 0) {
        shares.byNode.remove(node);
      } else {
        shares.byNode.put(node, left);
      }
      entry.setValue(shares.byNode.isEmpty() ? null : shares);
      return null;
    }
  }

  /** The Future of a Hazelcast async call, completing on the context of whoever made the call. */
  private <T> Future<T> onCaller(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  @Override
  public Future<Boolean> tryAcquire(String counter, long limit) {
    return onCaller(counters.submitToKey(counter, new Acquire(nodeId, limit)));
  }

  @Override
  public Future<Void> release(String counter) {
    return onCaller(counters.submitToKey(counter, new Release(nodeId, false)));
  }

  @Override
  public Future<Long> count(String counter) {
    return onCaller(counters.getAsync(counter)).map(s -> s == null ? 0L : s.total());
  }

  // ------------------------------------------------------------------ directory and membership

  @Override
  public Future<Void> publish(NodeInfo self) {
    String json = new JsonObject().put("id", self.id()).put("address", self.address())
        .put("connections", self.connections()).put("started", self.started()).encode();
    return onCaller(directory.setAsync(nodeId, json));
  }

  @Override
  public Future<List<NodeInfo>> nodes() {
    // Blocking on Hazelcast (a scan of the directory); executeBlocking completes on the caller's context.
    return vertx.executeBlocking(() -> {
      Set<String> live = hz.getCluster().getMembers().stream().map(m -> m.getAttribute(ClusterBootstrap.NODE_ATTRIBUTE))
          .collect(Collectors.toSet());
      List<NodeInfo> nodes = new ArrayList<>();
      for (Map.Entry<String, String> e : directory.entrySet()) {
        if (live.contains(e.getKey())) {
          JsonObject j = new JsonObject(e.getValue());
          nodes.add(new NodeInfo(j.getString("id"), j.getString("address"), j.getInteger("connections", 0),
              j.getLong("started", 0L)));
        }
      }
      nodes.sort((a, b) -> a.id().compareTo(b.id()));
      return nodes;
    });
  }

  @Override
  public void onMembership(Handler<MembershipChange> handler) {
    handlers.add(new Registered(vertx.getOrCreateContext(), handler));
  }

  @Override
  public boolean joined() {
    return hz.getLifecycleService().isRunning();
  }

  private final class Listener implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      String id = event.getMember().getAttribute(ClusterBootstrap.NODE_ATTRIBUTE);
      announce(new MembershipChange(MembershipChange.Kind.JOINED, id));
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String id = event.getMember().getAttribute(ClusterBootstrap.NODE_ATTRIBUTE);
      log.info("cluster member {} left", id);
      Member oldest = event.getMembers().stream().findFirst().orElse(null);
      if (oldest != null && oldest.localMember()) {
        vertx.executeBlocking(() -> {
          cleanUpAfter(id);
          return null;
        }).onFailure(e -> log.warn("cleanup after {} failed: {}", id, e.toString()));
      }
      announce(new MembershipChange(MembershipChange.Kind.LEFT, id));
    }

    private void announce(MembershipChange change) {
      handlers.forEach(h -> h.handle(change));
    }
  }

  /** Blocking: removes a departed node's counter shares, directory entry and leases. */
  private void cleanUpAfter(String deadNode) {
    counters.executeOnEntries(new Release(deadNode, true));
    directory.remove(deadNode);
    leases.executeOnEntries(new Lease(deadNode, 0));
  }

  // ------------------------------------------------------------------ leases

  /**
   * Takes or renews a lease held as {@code owner|expiresAtMillis}: free, expired or already ours.
   * With {@code ttl} 0 it gives the lease up if {@code node} holds it; with {@code drop} it clears
   * every lease of a departed {@code node}.
   */
  static final class Lease implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final long ttlMillis;

    Lease(String node, long ttlMillis) {
      this.node = node;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      long now = System.currentTimeMillis();
      String value = entry.getValue();
      String owner = value == null ? null : value.substring(0, value.lastIndexOf('|'));
      long expires = value == null ? 0 : Long.parseLong(value.substring(value.lastIndexOf('|') + 1));
      boolean ours = node.equals(owner);
      if (ttlMillis <= 0) {
        if (ours) {
          entry.setValue(null);
        }
        return ours;
      }
      if (owner == null || ours || expires <= now) {
        entry.setValue(node + "|" + (now + ttlMillis));
        return true;
      }
      return false;
    }
  }

  @Override
  public Future<Boolean> acquireLease(String name, Duration ttl) {
    return onCaller(leases.submitToKey(name, new Lease(nodeId, Math.max(1, ttl.toMillis()))));
  }

  @Override
  public Future<Void> releaseLease(String name) {
    return onCaller(leases.submitToKey(name, new Lease(nodeId, 0))).mapEmpty();
  }

  /** How many Hazelcast members this member sees (for tests and diagnostics). */
  public int hzMembers() {
    return hz.getCluster().getMembers().size();
  }

  /** Stops this member at once, without leaving cleanly: what a crash looks like to the others. */
  public void terminate() {
    hz.getLifecycleService().terminate();
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      directory.remove(nodeId);
      counters.executeOnEntries(new Release(nodeId, true));
      return null;
    });
  }
}
