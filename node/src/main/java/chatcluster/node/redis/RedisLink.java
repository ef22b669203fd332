package chatcluster.node.redis;

import chatcluster.node.runtime.Contexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis server as the node sees it: one connection for commands, one for pub/sub, and one for
 * reads that may go beside the commands ({@link #read}).
 *
 * <p><b>Order.</b> Every command of the node goes through the one command connection, pipelined:
 * Redis runs them in the order they were sent. Commands sent from one thread (one event loop) are
 * therefore applied in that order, so a connection's publishes keep their order on every node and a
 * read sent after a write sees it. A pooled client would not: consecutive commands could run on
 * different connections and overtake each other.
 *
 * <p><b>Threading.</b> The link belongs to the context that {@link #start() started} it (the node's
 * context); its connections are only touched there. Any thread may call {@link #send}; a call from
 * elsewhere hops to the link's context and its Future completes back on the caller's context.
 *
 * <p><b>Reads beside.</b> A large read (the history a reconnecting subscriber missed, a gap fill)
 * on the ordered connection would hold up every publish behind it, so {@link #read} uses a connection
 * of its own. It still sees every write sent before it: it leaves once every command sent on the
 * ordered connection before it has been answered (Redis answers them in order). What is sent after
 * it does not wait for it; a read beside is for a caller that does not need to see those (a
 * subscription in place gets them live).
 *
 * <p><b>Failures.</b> The connections are re-established with jittered backoff after a loss; every
 * wanted channel is subscribed again (the Vert.x client does not do it). While the command connection
 * is down, {@link #send} fails at once instead of queueing: callers decide what that means.
 *
 * <p><b>A master of a Redis Cluster.</b> Per-subject channels use sharded pub/sub. What says that a
 * slot moved (a {@code MOVED}, {@code ASK} or {@code CLUSTERDOWN} answer, a sharded subscription Redis
 * dropped, the connection lost) is reported to the {@link RedisClusterMap}, which moves the slot's
 * channels to their new master's link; a dropped subscription whose slot stayed is made again.
 */
public final class RedisLink {
  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
  private static final long MIN_BACKOFF_MS = 100;
  /** Retries stay this close together, so that a node notices Redis back within a second. */
  private static final long MAX_BACKOFF_MS = 900;
  /** Seconds into an outage at which it is logged again (then every 300 s): not once per attempt. */
  private static final long[] OUTAGE_LOG_AT_SECONDS = {10, 30, 60, 120};
  /** Channels per SUBSCRIBE command when resubscribing. */
  private static final int SUBSCRIBE_BATCH = 500;
  /** Commands in flight on the command connection before further ones wait in the client. */
  private static final int MAX_PIPELINED = 100_000;

  private final Vertx vertx;
  private final String name;
  private final Redis factory;
  private final Handler<Response> onMessage;
  private final Handler<Void> onResubscribed;
  /** Channels this node wants, each with whether it is a sharded (per-subject) one. */
  private final Map<String, Boolean> wanted = new LinkedHashMap<>();
  /** A master of a Redis Cluster: per-subject channels use sharded pub/sub (SSUBSCRIBE, SPUBLISH). */
  private final boolean sharded;
  /** Told when a slot may have moved (a master of a Redis Cluster only). */
  private Runnable slotsMoved = () -> {};
  /** Sharded subscriptions Redis dropped (or refused) that are still wanted: made again where their slot is. */
  private final java.util.Set<String> dropped = new java.util.LinkedHashSet<>();
  private Context context;
  private RedisConnection commands;
  private RedisConnection subscriber;
  /** The connection for reads beside the ordered one; null while down (reads then use {@link #commands}). */
  private RedisConnection reads;
  private long readsRetryTimer = -1;
  /**
   * What the subscriber connection owes, oldest first: per channel of every (un)subscribe sent, its
   * confirmation or an error, in the order sent (a pub/sub command's Future completes when it is
   * written, not when Redis has done it). A {@code sunsubscribe} that answers none of them is Redis
   * dropping a subscription. Failed when the connection is lost.
   */
  private final java.util.ArrayDeque<Awaited> awaited = new java.util.ArrayDeque<>();

  /** The confirmation one channel's subscribe or unsubscribe waits for. */
  private record Awaited(String channel, boolean subscribe, Promise<Void> done) {}
  /** Commands sent on the ordered connection, and answered (in the same order), since start. */
  private long sent;
  private long answered;
  /** Reads beside waiting for the commands sent before them to be answered, oldest first. */
  private final java.util.ArrayDeque<FencedRead> fenced = new java.util.ArrayDeque<>();

  private record FencedRead(long after, Request request, Promise<Response> answer) {}
  private volatile boolean healthy;
  /** The scripts are being loaded again after a NOSCRIPT answer. */
  private boolean reloading;
  private boolean closed;
  private int attempts;
  private long retryTimer = -1;
  /** When the current outage began (System.nanoTime), or 0 while connected. */
  private long downSince;
  private int outageLogs;

  /**
   * @param onMessage      receives pub/sub pushes ({@code message, channel, payload}) on the link's context
   * @param onResubscribed runs on the link's context whenever its connections were made and every channel
   *                       subscribed (at start too), and when {@link #checkGaps} asks
   */
  public RedisLink(Vertx vertx, RedisEndpoint endpoint, Handler<Response> onMessage, Handler<Void> onResubscribed) {
    this.vertx = vertx;
    this.name = endpoint.name();
    this.sharded = endpoint.clusterMember();
    RedisOptions options = new RedisOptions(endpoint.options()).setMaxPoolSize(4).setMaxPoolWaiting(16)
        .setMaxWaitingHandlers(MAX_PIPELINED);
    this.factory = Redis.createClient(vertx, options);
    this.onMessage = onMessage;
    this.onResubscribed = onResubscribed;
  }

  /**
   * Binds the link to the calling context and connects; completes after the first attempt,
   * successful or not (it keeps retrying in the background).
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    return connect().recover(e -> Future.succeededFuture());
  }

  /** Whether both connections are up. Any thread. */
  public boolean healthy() {
    return healthy;
  }

  public String name() {
    return name;
  }

  /** What to tell when a slot may have moved; set before {@link #start}. */
  void onSlotsMoved(Runnable action) {
    this.slotsMoved = action;
  }

  /** The channels this link subscribes to, each with whether it is sharded. On the link's context. */
  Map<String, Boolean> wantedChannels() {
    return new LinkedHashMap<>(wanted);
  }

  /** Runs the resubscribed handler (the gap check) when the link is up. Any thread. */
  void checkGaps() {
    execute(() -> {
      if (healthy && !closed) {
        onResubscribed.handle(null);
      }
    });
  }

  /**
   * Subscribes again to the sharded channels Redis dropped or refused that are still wanted here
   * (their slot did not move after all, or moved back); the gaps are checked after. On the link's
   * context.
   */
  void subscribeDroppedAgain() {
    if (dropped.isEmpty() || !healthy || subscriber == null) {
      return;
    }
    List<Future<?>> again = new ArrayList<>();
    RedisConnection conn = subscriber;
    for (String channel : new ArrayList<>(dropped)) {
      dropped.remove(channel);
      if (Boolean.TRUE.equals(wanted.get(channel))) {
        again.add(pubsub(conn, true, true, List.of(channel)));
      }
    }
    Future.join(again).onComplete(ar -> checkGaps());
  }

  /**
   * Sends one (un)subscribe command for {@code channels} (sharded: one channel, since those of one
   * SSUBSCRIBE must share a slot) and completes once Redis confirmed every channel. A subscribe Redis
   * refuses because the slot is elsewhere is remembered and reported, not a failure. Fails when the
   * connection is lost first.
   */
  private Future<Void> pubsub(RedisConnection conn, boolean subscribe, boolean shard, List<String> channels) {
    Command command = subscribe ? (shard ? Command.SSUBSCRIBE : Command.SUBSCRIBE)
        : (shard ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE);
    Request request = Request.cmd(command);
    List<Future<Void>> confirmed = new ArrayList<>(channels.size());
    for (String channel : channels) {
      Awaited a = new Awaited(channel, subscribe, Promise.promise());
      awaited.add(a);
      confirmed.add(a.done.future());
      request.arg(channel);
    }
    conn.send(request).onFailure(e -> lost(conn, "a pub/sub command could not be sent: " + e));
    return Future.all(confirmed).mapEmpty();
  }

  /**
   * A push on the subscriber connection: a message (to the handler), the confirmation of a command
   * of ours, an error answering one, or Redis dropping a sharded subscription.
   */
  private void onPush(RedisConnection conn, Response push) {
    if (conn != subscriber) {
      return;
    }
    if (push.type() == io.vertx.redis.client.ResponseType.ERROR) {
      Awaited a = awaited.poll();
      String error = push.toString();
      if (a == null) {
        log.warn("redis {}: an error the subscriber connection did not wait for: {}", name, error);
      } else if (sharded && a.subscribe && isRedirect(error)) {
        log.debug("redis {}: {} not subscribed here: {}", name, a.channel, error);
        if (wanted.containsKey(a.channel)) {
          dropped.add(a.channel);
        }
        slotsMoved.run();
        a.done.complete(); // it is subscribed where its slot is, once the map says where
      } else {
        a.done.fail(new IllegalStateException("redis " + name + ": " + (a.subscribe ? "subscribing to " : "leaving ")
            + a.channel + " failed: " + error));
      }
      return;
    }
    String kind = push.size() >= 2 && push.get(0) != null ? push.get(0).toString().toLowerCase(java.util.Locale.ROOT) : "";
    switch (kind) {
      case "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe" -> {
        String channel = push.get(1) == null ? null : push.get(1).toString();
        boolean subscribe = !kind.endsWith("unsubscribe");
        Awaited head = awaited.peek();
        if (head != null && head.subscribe == subscribe && head.channel.equals(channel)) {
          awaited.poll().done.complete();
        } else if ("sunsubscribe".equals(kind) && channel != null && Boolean.TRUE.equals(wanted.get(channel))) {
          subscriptionDropped(conn, channel);
        } else {
          log.debug("redis {}: unexpected {} of {}", name, kind, channel);
        }
      }
      default -> onMessage.handle(push);
    }
  }

  /** Fails what the lost subscriber connection still owed. */
  private void failAwaited() {
    while (!awaited.isEmpty()) {
      awaited.poll().done.tryFail(new RedisUnavailableException(name));
    }
  }

  private static boolean isRedirect(String m) {
    return m != null && (m.startsWith("MOVED") || m.startsWith("ASK") || m.startsWith("CLUSTERDOWN")
        || m.startsWith("TRYAGAIN"));
  }

  private static boolean isRedirect(Throwable e) {
    return isRedirect(e.getMessage());
  }

  /** Sends one command on the ordered connection; fails at once while it is down. Any thread. */
  public Future<Response> send(Request request) {
    return onLink(() -> {
      RedisConnection conn = commands;
      if (conn == null || !healthy) {
        return Future.failedFuture(new RedisUnavailableException(name));
      }
      sent++;
      return conn.send(request).onComplete(ar -> answered(conn)).onFailure(e -> checkError(e));
    });
  }

  /** One more command of the ordered connection answered: the reads beside that waited for it leave. */
  private void answered(RedisConnection conn) {
    if (conn != commands) {
      return; // a lost connection's: the count started over with the next one
    }
    answered++;
    while (!fenced.isEmpty() && fenced.peek().after <= answered) {
      FencedRead r = fenced.poll();
      sendBeside(r.request).onComplete(r.answer);
    }
  }

  /**
   * Sends a read on the connection beside the ordered one once every command sent before it on the
   * ordered connection has been answered (it sees their writes), without holding up those sent after
   * it; on the ordered connection while the other is down. Fails while the link is unhealthy. Any
   * thread.
   */
  public Future<Response> read(Request request) {
    return onLink(() -> {
      if (answered >= sent) {
        return sendBeside(request);
      }
      FencedRead r = new FencedRead(sent, request, Promise.promise());
      fenced.add(r);
      return r.answer.future();
    });
  }

  private Future<Response> sendBeside(Request request) {
    RedisConnection conn = reads != null ? reads : commands;
    if (conn == null || !healthy) {
      return Future.failedFuture(new RedisUnavailableException(name));
    }
    return conn.send(request).onFailure(e -> checkError(e));
  }

  /** Runs {@code action} on the link's context; the Future completes on the caller's context. Any thread. */
  public <T> Future<T> call(Supplier<Future<T>> action) {
    return onLink(action);
  }

  /**
   * Loads every script (RedisScripts) on the server of {@code conn}, as commands of the ordered
   * connection: what is sent after them finds them.
   */
  private Future<Void> loadScripts(RedisConnection conn) {
    List<Future<?>> loaded = new ArrayList<>();
    for (String script : RedisScripts.all()) {
      sent++;
      loaded.add(conn.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script)).onComplete(ar -> answered(conn)));
    }
    return Future.all(loaded).mapEmpty();
  }

  private void checkError(Throwable e) {
    if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT") && commands != null && !reloading) {
      // The server's scripts were flushed: what failed is refused, what follows finds them again.
      log.warn("redis {}: the server lost its scripts (SCRIPT FLUSH?); loading them again", name);
      reloading = true;
      loadScripts(commands).onComplete(ar -> reloading = false);
    } else if (e.getMessage() != null && e.getMessage().startsWith("READONLY") && commands != null) {
      failedOver(commands);
    } else if (sharded && isRedirect(e)) {
      slotsMoved.run();
    }
  }

  /**
   * The server this link writes to became a replica (a Sentinel failover that kept the old master
   * alive): both connections start over, through the Sentinels, on the new master.
   */
  private void failedOver(RedisConnection conn) {
    if (conn != commands) {
      return;
    }
    RedisConnection sub = subscriber;
    lost(conn, "the server became a replica");
    if (sub != null) {
      lost(sub, "the server became a replica");
    }
  }

  /** Sends several commands back to back on the ordered connection (not a transaction). Any thread. */
  public Future<List<Response>> batch(List<Request> requests) {
    return onLink(() -> {
      RedisConnection conn = commands;
      if (conn == null || !healthy) {
        return Future.failedFuture(new RedisUnavailableException(name));
      }
      sent++;
      return conn.batch(requests).onComplete(ar -> answered(conn)).onFailure(e -> checkError(e));
    });
  }

  /**
   * Subscribes now when connected, done once Redis confirmed it (a publish sent after that reaches
   * this node); in any case the channel is subscribed again after a reconnect.
   * A per-subject channel (a chat channel's, a node's inbox) uses sharded pub/sub on a Redis Cluster,
   * so its messages go to the one shard that owns it; others (broadcasts) reach every shard.
   */
  public Future<Void> subscribe(String channel, boolean perSubject) {
    return onLink(() -> {
      if (wanted.containsKey(channel)) {
        return Future.succeededFuture();
      }
      boolean shard = perSubject && sharded;
      wanted.put(channel, shard);
      if (!healthy) {
        return Future.succeededFuture();
      }
      // Done once Redis confirmed it: a publish sent after that reaches this node. A connection lost
      // meanwhile subscribes it again when it is back.
      return pubsub(subscriber, true, shard, List.of(channel))
          .recover(e -> e instanceof RedisUnavailableException ? Future.succeededFuture() : Future.failedFuture(e));
    });
  }

  public Future<Void> unsubscribe(String channel) {
    return onLink(() -> {
      Boolean shard = wanted.remove(channel);
      dropped.remove(channel);
      if (shard == null || !healthy) {
        return Future.succeededFuture();
      }
      return pubsub(subscriber, false, shard, List.of(channel)).recover(e -> Future.succeededFuture());
    });
  }

  /** The publish command for a channel subscribed with {@code perSubject}: SPUBLISH on a Redis Cluster. */
  public Command publishCommand(boolean perSubject) {
    return perSubject && sharded ? Command.SPUBLISH : Command.PUBLISH;
  }

  /** Whether a pub/sub push is a message (classic or sharded). */
  public static boolean isMessage(Response push) {
    if (push.size() < 3) {
      return false;
    }
    String type = push.get(0).toString();
    return "message".equalsIgnoreCase(type) || "smessage".equalsIgnoreCase(type);
  }

  /** Runs {@code action} on the link's context, where its pub/sub messages are handled. Any thread. */
  public void execute(Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private <T> Future<T> onLink(Supplier<Future<T>> action) {
    return Contexts.call(vertx, context, action);
  }

  private Future<Void> connect() {
    Future<RedisConnection> cmd = commands != null ? Future.succeededFuture(commands) : factory.connect();
    Future<RedisConnection> sub = subscriber != null ? Future.succeededFuture(subscriber) : factory.connect();
    return Future.all(cmd, sub).compose(all -> {
      RedisConnection c = cmd.result();
      RedisConnection s = sub.result();
      if (closed) {
        c.close();
        s.close();
        return Future.failedFuture("closed");
      }
      Future<Void> scripts = Future.succeededFuture();
      if (commands != c) {
        commands = c;
        c.exceptionHandler(e -> lost(c, e.toString()));
        c.endHandler(v -> lost(c, "connection closed"));
        scripts = loadScripts(c);
      }
      if (subscriber != s) {
        subscriber = s;
        // On the link's context: a pooled connection may dispatch on the context that first made it.
        s.handler(push -> execute(() -> onPush(s, push)));
        s.exceptionHandler(e -> lost(s, e.toString()));
        s.endHandler(v -> lost(s, "connection closed"));
        failAwaited();
        dropped.clear();
        return Future.all(scripts, resubscribeAll(s)).<Void>mapEmpty();
      }
      return scripts;
    }).map(v -> {
      healthy = true;
      if (downSince != 0) {
        log.warn("redis {}: reconnected after {} s and {} attempts ({} channels subscribed again)", name,
            (System.nanoTime() - downSince) / 1_000_000_000L, attempts, wanted.size());
      } else {
        log.info("redis {}: connected ({} channels subscribed)", name, wanted.size());
      }
      attempts = 0;
      downSince = 0;
      outageLogs = 0;
      connectReads();
      onResubscribed.handle(null);
      return (Void) null;
    }).onFailure(e -> {
      // Keep whichever connection did come up; close it if the other failed, so both restart together.
      if (cmd.succeeded() && commands == null) {
        cmd.result().close();
      }
      if (sub.succeeded() && subscriber == null) {
        sub.result().close();
      }
      logOutage(e.getMessage());
      scheduleReconnect();
    });
  }

  /**
   * Redis dropped a sharded subscription: its slot moved (a failover, a takeover, a migration). The
   * cluster map is read again; it moves the channel to its new master's link, or has this link
   * subscribe again if the slot is still here.
   */
  private void subscriptionDropped(RedisConnection conn, String channel) {
    if (closed || conn != subscriber) {
      return;
    }
    log.info("redis {}: sharded subscription to {} dropped by Redis (its slot moved)", name, channel);
    dropped.add(channel);
    slotsMoved.run();
  }

  /**
   * Subscribes {@code conn} to every wanted channel. Channels wanted or left while that is under way
   * (on a connection not yet in use, or while the link is unhealthy) are subscribed or unsubscribed
   * on it too before it completes, so the connection ends up with exactly the wanted ones.
   */
  private Future<Void> resubscribeAll(RedisConnection conn) {
    Map<String, Boolean> sent = new LinkedHashMap<>(wanted);
    return subscribeOn(conn, sent).compose(v -> reconcile(conn, sent));
  }

  private Future<Void> reconcile(RedisConnection conn, Map<String, Boolean> sent) {
    Map<String, Boolean> added = new LinkedHashMap<>();
    wanted.forEach((channel, shard) -> {
      if (!sent.containsKey(channel)) {
        added.put(channel, shard);
      }
    });
    List<Future<?>> left = new ArrayList<>();
    for (var it = sent.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Boolean> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        it.remove();
        left.add(pubsub(conn, false, e.getValue(), List.of(e.getKey())));
      }
    }
    if (added.isEmpty() && left.isEmpty()) {
      return Future.succeededFuture();
    }
    sent.putAll(added);
    List<Future<?>> all = new ArrayList<>(left);
    all.add(subscribeOn(conn, added));
    return Future.all(all).compose(v -> reconcile(conn, sent));
  }

  private Future<Void> subscribeOn(RedisConnection conn, Map<String, Boolean> channels) {
    List<String> classic = new ArrayList<>();
    List<Future<?>> shards = new ArrayList<>(); // every SUBSCRIBE sent at once, in order
    for (Map.Entry<String, Boolean> e : channels.entrySet()) {
      if (e.getValue()) {
        // One sharded channel per command: the channels of one SSUBSCRIBE must share a hash slot.
        shards.add(pubsub(conn, true, true, List.of(e.getKey())));
      } else {
        classic.add(e.getKey());
      }
    }
    for (int i = 0; i < classic.size(); i += SUBSCRIBE_BATCH) {
      shards.add(pubsub(conn, true, false, classic.subList(i, Math.min(classic.size(), i + SUBSCRIBE_BATCH))));
    }
    return Future.all(shards).mapEmpty();
  }

  /**
   * Opens the connection for reads beside the ordered one, when the link is up without it; retried
   * every second or so while it cannot be made (reads use the ordered connection meanwhile).
   */
  private void connectReads() {
    if (closed || reads != null || !healthy || readsRetryTimer >= 0) {
      return;
    }
    RedisConnection ordered = commands;
    factory.connect().onComplete(ar -> {
      if (ar.failed()) {
        log.debug("redis {}: no connection for reads beside the commands: {}", name, ar.cause().toString());
        readsRetryTimer = vertx.setTimer(MAX_BACKOFF_MS, t -> {
          readsRetryTimer = -1;
          connectReads();
        });
        return;
      }
      RedisConnection r = ar.result();
      if (closed || reads != null || !healthy || commands != ordered) {
        r.close(); // the link changed meanwhile (a failover may have moved the master)
        connectReads();
        return;
      }
      reads = r;
      r.exceptionHandler(e -> dropReads(r, e.toString()));
      r.endHandler(v -> dropReads(r, "connection closed"));
    });
  }

  private void dropReads(RedisConnection r, String why) {
    if (reads != r) {
      return;
    }
    log.debug("redis {}: connection for reads lost ({}); reads go on the ordered connection", name, why);
    reads = null;
    r.close();
    if (!closed && readsRetryTimer < 0) {
      readsRetryTimer = vertx.setTimer(MIN_BACKOFF_MS, t -> {
        readsRetryTimer = -1;
        connectReads();
      });
    }
  }

  private void lost(RedisConnection conn, String why) {
    if (closed || (conn != subscriber && conn != commands)) {
      return;
    }
    if (sharded) {
      slotsMoved.run(); // a dead master: the map is read until its replica serves its slots
    }
    if (conn == subscriber) {
      subscriber = null;
      failAwaited();
    } else {
      commands = null;
      answered = sent; // what the lost connection still owes is failed by the client, not counted
      while (!fenced.isEmpty()) {
        fenced.poll().answer.fail(new RedisUnavailableException(name));
      }
      if (reads != null) {
        // It goes with the ordered one: after a failover it may still be on the old master.
        RedisConnection r = reads;
        reads = null;
        r.close();
      }
    }
    if (healthy) {
      log.warn("redis {}: connection lost ({}); publishes {}answer unavailable until it is back{}", name, why,
          sharded ? "on its slots' channels " : "", sharded ? " or its replica takes over" : "");
      downSince = System.nanoTime();
    }
    healthy = false;
    conn.close();
    scheduleReconnect();
  }

  /** An outage is logged when it starts and then at growing intervals with a summary, not per attempt. */
  private void logOutage(String cause) {
    long now = System.nanoTime();
    if (downSince == 0) {
      downSince = now;
      log.warn("redis {}: cannot connect: {}; retrying at least every second", name, cause);
      return;
    }
    long seconds = (now - downSince) / 1_000_000_000L;
    long next = outageLogs < OUTAGE_LOG_AT_SECONDS.length ? OUTAGE_LOG_AT_SECONDS[outageLogs]
        : OUTAGE_LOG_AT_SECONDS[OUTAGE_LOG_AT_SECONDS.length - 1] + 300L * (outageLogs - OUTAGE_LOG_AT_SECONDS.length + 1);
    if (seconds >= next) {
      outageLogs++;
      log.warn("redis {}: still unreachable after {} s ({} attempts): {}", name, seconds, attempts, cause);
    } else {
      log.debug("redis {}: cannot connect: {}", name, cause);
    }
  }

  private void scheduleReconnect() {
    if (closed || retryTimer >= 0) {
      return;
    }
    long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempts++, 10));
    long delay = MIN_BACKOFF_MS / 2 + ThreadLocalRandom.current().nextLong(ceiling); // jittered
    retryTimer = vertx.setTimer(delay, t -> {
      retryTimer = -1;
      if (!closed && (subscriber == null || commands == null)) {
        connect();
      }
    });
  }

  /** Closes both connections; completes on the caller's context. Any thread. */
  public Future<Void> close() {
    Context caller = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    onLink(() -> {
      closed = true;
      healthy = false;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      if (readsRetryTimer >= 0) {
        vertx.cancelTimer(readsRetryTimer);
      }
      Future<Void> rd = reads == null ? Future.succeededFuture() : reads.close();
      Future<Void> sub = subscriber == null ? Future.succeededFuture() : subscriber.close();
      Future<Void> cmd = commands == null ? Future.succeededFuture() : commands.close();
      return Future.join(sub, cmd, rd).eventually(factory::close).<Void>mapEmpty();
    }).onComplete(ar -> caller.runOnContext(v -> done.complete())); // the client completes its close elsewhere
    return done.future();
  }

  static String redactedUrl(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
