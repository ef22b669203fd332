package chatcluster.node.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis Cluster as the node uses it: which master serves each hash slot, and a {@link RedisLink} of
 * its own to every master, so that one shard's failure is one link's. While a master is down, the
 * channels (and keys) of its slots answer {@code unavailable}; those of the other shards go on. (The
 * Vert.x cluster client cannot do that: its connection reports any master's end as its own, and it
 * cannot connect at all while a master of its map is unreachable.)
 *
 * <p><b>The map.</b> {@code CLUSTER SLOTS}, asked of the masters the node reaches, then of the other
 * servers of the last map, then of the seeds (REDIS_CLUSTER_NODES): at start; whenever a link reports
 * that a slot moved (a {@code MOVED}, {@code ASK} or {@code CLUSTERDOWN} answer, a sharded subscription
 * Redis dropped) or lost its connection; every 500 ms while a slot's master is unreachable (until its
 * replica is promoted); every 5 s otherwise. Refreshes are at least 100 ms apart.
 *
 * <p><b>Moves.</b> When a slot changes master, the subscriptions of its channels move to the new
 * master's link, and that link then checks every channel's gap against history (the broker fills it
 * before live messages go on). A link left without slots (a dead master replaced, a demoted one) is
 * closed.
 *
 * <p><b>Threading.</b> The map changes on the context that started it, the links' context; any thread
 * may look up an owner (a published array).
 */
public final class RedisClusterMap {
  private static final Logger log = LoggerFactory.getLogger(RedisClusterMap.class);
  private static final long TICK_MS = 500;
  private static final long REFRESH_MS = 5000;
  private static final long MIN_GAP_MS = 100;
  private static final long ASK_TIMEOUT_MS = 1000;

  private final Vertx vertx;
  private final List<RedisEndpoint> seeds;
  private final Function<RedisEndpoint, RedisLink> newLink;
  /** A link per master of the map, by host:port. */
  private final Map<String, RedisLink> links = new LinkedHashMap<>();
  /** Clients asking for the map, by host:port. */
  private final Map<String, Redis> askers = new LinkedHashMap<>();
  /** Every server of the last map, masters first. */
  private final Set<String> known = new LinkedHashSet<>();
  /** Owner of every slot until the first map: a link never started, whose commands answer unavailable. */
  private final RedisLink unmapped;
  private volatile RedisLink[] owners;
  private volatile List<RedisLink> masters = List.of();
  private Context context;
  private boolean refreshing;
  private boolean again;
  private boolean closed;
  private long lastRefresh;
  private long delayed = -1;
  private long ticker = -1;

  /** @param newLink makes the link to one master (not started) */
  public RedisClusterMap(Vertx vertx, List<RedisEndpoint> seeds, Function<RedisEndpoint, RedisLink> newLink) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no Redis Cluster server");
    }
    this.vertx = vertx;
    this.seeds = List.copyOf(seeds);
    this.newLink = newLink;
    this.unmapped = newLink.apply(seeds.get(0));
    RedisLink[] none = new RedisLink[HashSlots.COUNT];
    java.util.Arrays.fill(none, unmapped);
    this.owners = none;
  }

  /**
   * Reads the map and connects to every master; completes after their first attempts. Without any
   * answer, the first seed serves every slot until one comes (it is asked again every 500 ms).
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    lastRefresh = System.nanoTime();
    return readMap().transform(ar -> {
      List<Future<Void>> starting;
      if (ar.succeeded()) {
        starting = apply(ar.result());
      } else {
        log.warn("redis cluster: no server of {} answered with the slots' map ({}); using {} until one does",
            names(seeds), ar.cause().getMessage(), seeds.get(0).name());
        String[] all = new String[HashSlots.COUNT];
        java.util.Arrays.fill(all, seeds.get(0).name());
        starting = apply(all);
      }
      ticker = vertx.setPeriodic(TICK_MS, t -> tick());
      return Future.join(new ArrayList<>(starting)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  /** The link of the master serving {@code key}'s slot. Any thread. */
  public RedisLink owner(String key) {
    return owners[HashSlots.of(key)];
  }

  /** The links of the masters, each once. Any thread. */
  public List<RedisLink> masters() {
    return masters;
  }

  /** Some slot moved (or may have): the map is read again soon. Any thread. */
  public void slotsMoved() {
    Context c = context;
    if (c == null || Vertx.currentContext() == c) {
      refresh();
    } else {
      c.runOnContext(v -> refresh());
    }
  }

  private void tick() {
    boolean degraded = false;
    for (RedisLink link : masters) {
      degraded |= !link.healthy();
    }
    if (degraded || System.nanoTime() - lastRefresh >= REFRESH_MS * 1_000_000) {
      refresh();
    }
  }

  private void refresh() {
    if (closed) {
      return;
    }
    if (refreshing) {
      again = true;
      return;
    }
    long wait = MIN_GAP_MS - (System.nanoTime() - lastRefresh) / 1_000_000;
    if (wait > 0) {
      if (delayed < 0) {
        delayed = vertx.setTimer(wait, t -> {
          delayed = -1;
          refresh();
        });
      }
      return;
    }
    refreshing = true;
    lastRefresh = System.nanoTime();
    readMap().onComplete(ar -> {
      refreshing = false;
      if (closed) {
        return;
      }
      if (ar.succeeded()) {
        apply(ar.result());
      } else {
        log.debug("redis cluster: slots' map not read: {}", ar.cause().getMessage());
      }
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  private Future<String[]> readMap() {
    Set<String> candidates = new LinkedHashSet<>();
    for (RedisLink link : masters) {
      if (link.healthy()) {
        candidates.add(link.name());
      }
    }
    candidates.addAll(known);
    for (RedisEndpoint seed : seeds) {
      candidates.add(seed.name());
    }
    return readMap(candidates.iterator(), null);
  }

  private Future<String[]> readMap(Iterator<String> candidates, Throwable last) {
    if (!candidates.hasNext()) {
      return Future.failedFuture(last != null ? last : new IllegalStateException("no server to ask"));
    }
    String server = candidates.next();
    return ask(server).recover(e -> readMap(candidates, e));
  }

  private Future<String[]> ask(String server) {
    Redis client = askers.computeIfAbsent(server, s -> Redis.createClient(vertx,
        seeds.get(0).member(s).options().setMaxPoolSize(1).setMaxPoolWaiting(4)));
    Promise<String[]> answer = Promise.promise();
    long timer = vertx.setTimer(ASK_TIMEOUT_MS, t -> answer.tryFail(server + " did not answer within "
        + ASK_TIMEOUT_MS + " ms"));
    client.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        answer.tryFail(server + ": " + ar.cause().getMessage());
        return;
      }
      try {
        answer.tryComplete(parse(ar.result(), server));
      } catch (RuntimeException e) {
        answer.tryFail(server + " answered a map that cannot be read: " + e);
      }
    });
    return answer.future();
  }

  /** {@code CLUSTER SLOTS}: per range, its first and last slot, its master, then its replicas. */
  private String[] parse(Response ranges, String asked) {
    String[] map = new String[HashSlots.COUNT];
    Set<String> servers = new LinkedHashSet<>();
    Set<String> replicas = new LinkedHashSet<>();
    String askedHost = asked.substring(0, asked.lastIndexOf(':'));
    int covered = 0;
    for (Response range : ranges) {
      int first = range.get(0).toInteger();
      int lastSlot = range.get(1).toInteger();
      String master = server(range.get(2), askedHost);
      servers.add(master);
      for (int slot = first; slot <= lastSlot; slot++) {
        map[slot] = master;
      }
      covered += lastSlot - first + 1;
      for (int i = 3; i < range.size(); i++) {
        replicas.add(server(range.get(i), askedHost));
      }
    }
    if (covered == 0) {
      throw new IllegalStateException("no slot is served");
    }
    servers.addAll(replicas);
    known.clear();
    known.addAll(servers);
    for (Iterator<Map.Entry<String, Redis>> it = askers.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Redis> e = it.next();
      if (!known.contains(e.getKey()) && !e.getKey().equals(asked) && seeds.stream().noneMatch(s -> s.name().equals(e.getKey()))) {
        it.remove();
        e.getValue().close();
      }
    }
    return map;
  }

  private static String server(Response node, String askedHost) {
    String host = node.get(0) == null ? "" : node.get(0).toString();
    if (host.isEmpty() || "?".equals(host)) {
      host = askedHost; // the server does not know its own address: the one we reached it at
    }
    return host + ":" + node.get(1).toInteger();
  }

  /** Makes {@code map} the node's: links for new masters, subscriptions moved, idle links closed. */
  private List<Future<Void>> apply(String[] map) {
    List<Future<Void>> starting = new ArrayList<>();
    RedisLink[] before = owners[0] == unmapped ? null : owners;
    RedisLink[] next = new RedisLink[HashSlots.COUNT];
    Map<String, Integer> moves = new TreeMap<>();
    RedisLink any = null;
    for (int slot = 0; slot < HashSlots.COUNT; slot++) {
      RedisLink link = before == null ? null : before[slot];
      String server = map[slot];
      if (server != null) {
        link = links.get(server);
        if (link == null) {
          link = newLink.apply(seeds.get(0).member(server));
          link.onSlotsMoved(this::slotsMoved);
          links.put(server, link);
          starting.add(link.start());
        }
      }
      next[slot] = link;
      any = any == null ? link : any;
      if (before != null && before[slot] != link) {
        moves.merge(nameOf(before[slot]) + " to " + nameOf(link), 1, Integer::sum);
      }
    }
    for (int slot = 0; slot < HashSlots.COUNT; slot++) {
      if (next[slot] == null) {
        next[slot] = any; // a slot no server serves: its commands fail there until one does
      }
    }
    Set<RedisLink> serving = new LinkedHashSet<>(java.util.Arrays.asList(next));
    owners = next;
    masters = List.copyOf(serving);
    moves.forEach((move, count) -> log.info("redis cluster: {} slots moved from {}", count, move));

    Map<RedisLink, List<Future<Void>>> landed = new LinkedHashMap<>();
    List<RedisLink> holding = new ArrayList<>(links.values());
    holding.add(unmapped); // what was subscribed before the first map
    for (RedisLink link : holding) {
      for (Map.Entry<String, Boolean> wanted : link.wantedChannels().entrySet()) {
        RedisLink owner = next[HashSlots.of(wanted.getKey())];
        if (owner != link) {
          link.unsubscribe(wanted.getKey());
          landed.computeIfAbsent(owner, l -> new ArrayList<>()).add(owner.subscribe(wanted.getKey(), wanted.getValue()));
        }
      }
      if (serving.contains(link)) {
        link.subscribeDroppedAgain();
      }
    }
    landed.forEach((owner, subscribed) -> Future.join(new ArrayList<>(subscribed)).onComplete(ar -> owner.checkGaps()));
    for (Iterator<Map.Entry<String, RedisLink>> it = links.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, RedisLink> e = it.next();
      if (!serving.contains(e.getValue())) {
        it.remove();
        log.info("redis cluster: {} serves no slot any more; its connections are closed", e.getKey());
        e.getValue().close();
      }
    }
    return starting;
  }

  private static String nameOf(RedisLink link) {
    return link == null ? "nobody" : link.name();
  }

  private static List<String> names(List<RedisEndpoint> endpoints) {
    return endpoints.stream().map(RedisEndpoint::name).toList();
  }

  /** Closes every link and asker; completes on the caller's context. Any thread. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    Context caller = vertx.getOrCreateContext();
    Runnable stop = () -> {
      closed = true;
      if (ticker >= 0) {
        vertx.cancelTimer(ticker);
      }
      if (delayed >= 0) {
        vertx.cancelTimer(delayed);
      }
      List<Future<Void>> all = new ArrayList<>();
      links.values().forEach(l -> all.add(l.close()));
      all.add(unmapped.close()); // never started, but its client is made
      askers.values().forEach(a -> all.add(a.close()));
      links.clear();
      askers.clear();
      Future.join(new ArrayList<>(all)).onComplete(ar -> caller.runOnContext(v -> done.complete()));
    };
    if (context == null || Vertx.currentContext() == context) {
      stop.run();
    } else {
      context.runOnContext(v -> stop.run());
    }
    return done.future();
  }
}
