package chatcluster.node.cluster;

import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node liveness in Redis: every node writes a heartbeat (Redis time) every {@link #HEARTBEAT_MS};
 * every node sweeps for nodes silent longer than {@code cluster.deadAfter} (6 s by default) and one
 * of them (a lock decides) removes what the dead node wrote: presence entries (each through the
 * presence membership, which announces the leave as the channel's protocol renders it), routes and
 * counter shares. A node killed with -9 is cleaned within deadAfter + HEARTBEAT_MS (8 s by default)
 * when Redis alone tells; with Hazelcast the cluster manager sees it leave within about a second.
 */
public final class RedisNodeRegistry {
  private static final Logger log = LoggerFactory.getLogger(RedisNodeRegistry.class);
  static final long HEARTBEAT_MS = 2000;
  public static final java.time.Duration DEFAULT_DEAD_AFTER = java.time.Duration.ofSeconds(6);

  private final Vertx vertx;
  private final RedisShards shards;
  private final RedisKeys keys;
  private final String nodeId;
  private final BiFunction<String, String, Future<Void>> departed;
  private final long deadAfterMs;
  private java.util.function.Consumer<String> onNodeGone = n -> {};
  private Runnable onRejoin = () -> {};
  private boolean registered;
  private long timer = -1;

  /**
   * @param departed takes a dead node's presence entry (channel, session) out and announces the leave;
   *                 its Future completes when that is done
   */
  public RedisNodeRegistry(Vertx vertx, RedisShards shards, RedisKeys keys, String nodeId,
                           BiFunction<String, String, Future<Void>> departed) {
    this(vertx, shards, keys, nodeId, departed, DEFAULT_DEAD_AFTER);
  }

  /** @param deadAfter how long a node may be silent before it is taken for dead ({@code cluster.deadAfter}) */
  public RedisNodeRegistry(Vertx vertx, RedisShards shards, RedisKeys keys, String nodeId,
                           BiFunction<String, String, Future<Void>> departed, java.time.Duration deadAfter) {
    this.deadAfterMs = deadAfter.toMillis();
    this.vertx = vertx;
    this.shards = shards;
    this.keys = keys;
    this.nodeId = nodeId;
    this.departed = departed;
  }

  /** Called with the id of every dead node once its state was removed. */
  public void onNodeGone(java.util.function.Consumer<String> handler) {
    this.onNodeGone = handler;
  }

  /**
   * Called when this node finds it was taken for dead (it was silent longer than deadAfterMs, e.g.
   * stalled, and another node removed its presence, routes and counter shares): the node writes its
   * connections' state again.
   */
  public void onRejoin(Runnable handler) {
    this.onRejoin = handler;
  }

  public void start() {
    beat();
    timer = vertx.setPeriodic(HEARTBEAT_MS, t -> {
      beat();
      sweep();
    });
  }

  private void beat() {
    shards.forNodeKey(keys.nodes()).send(RedisScripts.call(RedisScripts.HEARTBEAT).arg(1).arg(keys.nodes()).arg(nodeId))
        .onSuccess(added -> {
          if (added.toLong() == 1 && registered) {
            log.warn("this node was taken for dead (silent over {} ms): writing its presence and routes again",
                deadAfterMs);
            onRejoin.run();
          }
          registered = true;
        })
        .onFailure(e -> log.debug("heartbeat failed: {}", e.toString()));
  }

  private void sweep() {
    shards.forNodeKey(keys.nodes()).send(RedisScripts.call(RedisScripts.SILENT).arg(1).arg(keys.nodes())
        .arg(deadAfterMs)).onSuccess(dead -> {
          for (Response r : dead) {
            String node = r.toString();
            if (!node.equals(nodeId)) {
              cleanUpAfter(node, "is silent (no heartbeat for " + deadAfterMs + " ms)");
            }
          }
        });
  }

  /** Removes the state of a node the cluster manager saw leave, once across nodes. */
  public void cleanUpAfter(String departedNode) {
    cleanUpAfter(departedNode, "left the cluster");
  }

  /**
   * Removes a departed node's state now, once across nodes.
   *
   * @param why how it departed, for the log: {@code left the cluster} (the cluster manager saw it go),
   *            or silent in Redis
   */
  public void cleanUpAfter(String deadNode, String why) {
    shards.forNodeKey(keys.cleanupLock(deadNode)).send(Request.cmd(Command.SET).arg(keys.cleanupLock(deadNode)).arg(nodeId).arg("NX")
        .arg("PX").arg(30_000)).compose(locked -> {
          if (locked == null) {
            return Future.succeededFuture(); // another node is on it
          }
          log.info("node {} {}; removing its presence, routes and counter shares", deadNode, why);
          Future<Void> all = Future.succeededFuture();
          for (RedisLink link : shards.indexHolders(deadNode)) {
            all = all.compose(v -> cleanUp(link, deadNode));
          }
          return all.compose(v -> shards.forNodeKey(keys.nodes()).send(Request.cmd(Command.ZREM).arg(keys.nodes()).arg(deadNode)))
              .<Void>mapEmpty().onSuccess(v -> onNodeGone.accept(deadNode));
        }).onFailure(e -> log.warn("cleanup after node {} failed (will retry): {}", deadNode, e.toString()));
  }

  /**
   * Removes, on one server (or cluster), what a dead node's index lists: its presence entries (each
   * handed to {@code departed}), route counts and counter shares; then the index itself. Each entry
   * is one command on its own key, so that this works where keys live in different hash slots.
   */
  private Future<Void> cleanUp(RedisLink link, String deadNode) {
    return link.send(Request.cmd(Command.SMEMBERS).arg(keys.nodeIndex(deadNode))).compose(entries -> {
      List<Future<?>> done = new ArrayList<>();
      for (Response entry : entries) {
        String e = entry.toString();
        String rest = e.length() > 2 ? e.substring(2) : "";
        switch (e.charAt(0)) {
          case 'p' -> {
            int bar = rest.lastIndexOf('|');
            String channel = rest.substring(0, bar);
            String session = rest.substring(bar + 1);
            done.add(departed.apply(channel, session));
          }
          case 'u' -> done.add(shards.forRoute("u:" + rest).send(Request.cmd(Command.HDEL).arg(keys.userRoute(rest)).arg(deadNode)));
          case 'd' -> done.add(shards.forRoute("d:" + rest).send(Request.cmd(Command.HDEL).arg(keys.deviceRoute(rest)).arg(deadNode)));
          case 'c' -> done.add(shards.forCounter(rest).send(Request.cmd(Command.HDEL).arg(keys.counter(rest)).arg(deadNode)));
          default -> log.debug("unknown index entry {} of node {}", e, deadNode);
        }
      }
      return Future.join(done).compose(v -> link.send(Request.cmd(Command.DEL).arg(keys.nodeIndex(deadNode))));
    }).mapEmpty();
  }

  /** Leaves the directory on a clean stop, so nobody waits for this node to time out. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return shards.forNodeKey(keys.nodes()).send(Request.cmd(Command.ZREM).arg(keys.nodes()).arg(nodeId)).<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }
}
