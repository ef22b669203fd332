package chatcluster.node.redis;

import chatcluster.node.runtime.Contexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
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
  /** A Redis Cluster: per-subject channels use sharded pub/sub (SSUBSCRIBE, SPUBLISH). */
  private final boolean sharded;
  private Context context;
  private RedisConnection commands;
  private RedisConnection subscriber;
  /** The connection for reads beside the ordered one; null while down (reads then use {@link #commands}). */
  private RedisConnection reads;
  private long readsRetryTimer = -1;
  /**
   * Sharded unsubscribes this node sent and Redis has not confirmed yet, per channel: their
   * confirmation is not a subscription Redis dropped, even when the channel is wanted again meanwhile.
   * Cleared whenever the subscriber connection changes.
   */
  private final Map<String, Integer> ownUnsubscribes = new java.util.HashMap<>();
  /** Commands sent on the ordered connection, and answered (in the same order), since start. */
  private long sent;
  private long answered;
  /** Reads beside waiting for the commands sent before them to be answered, oldest first. */
  private final java.util.ArrayDeque<FencedRead> fenced = new java.util.ArrayDeque<>();

  private record FencedRead(long after, Request request, Promise<Response> answer) {}
  private volatile boolean healthy;
  /** A new subscriber connection is being made after Redis dropped a sharded subscription. */
  private boolean replacing;
  /** How long after a dropped sharded subscription the subscriber connection is replaced (the drops of one failover come together). */
  private static final long REPLACE_DELAY_MS = 100;
  /** When the gaps are checked a second time after a replacement. */
  private static final long SETTLE_CHECK_MS = 1000;
  private boolean closed;
  private int attempts;
  private long retryTimer = -1;
  /** When the current outage began (System.nanoTime), or 0 while connected. */
  private long downSince;
  private int outageLogs;

  /**
   * @param onMessage      receives pub/sub pushes ({@code message, channel, payload}) on the link's context
   * @param onResubscribed runs on the link's context after a lost connection was restored and resubscribed
   */
  public RedisLink(Vertx vertx, RedisEndpoint endpoint, Handler<Response> onMessage, Handler<Void> onResubscribed) {
    this.vertx = vertx;
    this.name = endpoint.name();
    this.sharded = endpoint.options().getType() == RedisClientType.CLUSTER;
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
    return connect(false).recover(e -> Future.succeededFuture());
  }

  /** Whether both connections are up. Any thread. */
  public boolean healthy() {
    return healthy;
  }

  public String name() {
    return name;
  }

  /** Sends one command on the ordered connection; fails at once while it is down. Any thread. */
  public Future<Response> send(Request request) {
    return onLink(() -> {
      RedisConnection conn = commands;
      if (conn == null || !healthy) {
        return Future.failedFuture(new RedisUnavailableException(name));
      }
      sent++;
      return conn.send(request).onComplete(ar -> answered(conn)).onFailure(e -> checkReadOnly(e));
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
    return conn.send(request).onFailure(e -> checkReadOnly(e));
  }

  /** Runs {@code action} on the link's context; the Future completes on the caller's context. Any thread. */
  public <T> Future<T> call(Supplier<Future<T>> action) {
    return onLink(action);
  }

  private void checkReadOnly(Throwable e) {
    if (e.getMessage() != null && e.getMessage().startsWith("READONLY") && commands != null) {
      failedOver(commands);
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
      return conn.batch(requests).onComplete(ar -> answered(conn));
    });
  }

  /**
   * Subscribes now when connected; in any case the channel is subscribed again after a reconnect.
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
      return subscriber.send(Request.cmd(shard ? Command.SSUBSCRIBE : Command.SUBSCRIBE).arg(channel)).mapEmpty();
    });
  }

  public Future<Void> unsubscribe(String channel) {
    return onLink(() -> {
      Boolean shard = wanted.remove(channel);
      if (shard == null || !healthy) {
        return Future.succeededFuture();
      }
      if (shard) {
        ownUnsubscribes.merge(channel, 1, Integer::sum);
      }
      return subscriber.send(Request.cmd(shard ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(channel))
          .<Void>mapEmpty().recover(e -> Future.succeededFuture());
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

  private Future<Void> connect(boolean reconnect) {
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
      if (commands != c) {
        commands = c;
        c.exceptionHandler(e -> lost(c, e.toString()));
        c.endHandler(v -> lost(c, "connection closed"));
      }
      if (subscriber != s) {
        subscriber = s;
        s.handler(push -> {
          if (isDroppedShardSubscription(push)) {
            subscriptionDropped(s, push.get(1).toString());
          }
          onMessage.handle(push);
        });
        s.exceptionHandler(e -> lost(s, e.toString()));
        s.endHandler(v -> lost(s, "connection closed"));
        ownUnsubscribes.clear();
        return resubscribeAll(s);
      }
      return Future.<Void>succeededFuture();
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
      if (reconnect) {
        onResubscribed.handle(null);
      }
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
   * A {@code sunsubscribe} this node did not ask for: Redis drops the sharded subscriptions of a slot
   * whose server is no longer its master (a failover, a takeover, a slot migration).
   */
  private boolean isDroppedShardSubscription(Response push) {
    if (!sharded || push.size() < 2 || !"sunsubscribe".equalsIgnoreCase(push.get(0).toString()) || push.get(1) == null) {
      return false;
    }
    String channel = push.get(1).toString();
    Integer own = ownUnsubscribes.get(channel);
    if (own != null) {
      if (own <= 1) {
        ownUnsubscribes.remove(channel);
      } else {
        ownUnsubscribes.put(channel, own - 1);
      }
      return false; // the confirmation of an unsubscribe of ours
    }
    return Boolean.TRUE.equals(wanted.get(channel));
  }

  /**
   * Redis dropped a sharded subscription: its slot moved (a failover, a takeover, a migration), and
   * the others of that server may have gone with it, with or without telling. A new subscriber
   * connection (with a fresh view of the slots) subscribes to every channel again while the old one
   * keeps delivering; the old one is closed once that is done, and every channel's gap is then
   * checked against history (missed messages delivered in order, live ones waiting meanwhile). The
   * drops of one failover arrive together: one replacement, a short moment later.
   */
  private void subscriptionDropped(RedisConnection conn, String name) {
    if (closed || conn != subscriber) {
      return;
    }
    log.info("redis {}: sharded subscription to {} dropped by Redis (its slot moved): subscribing again on a new"
        + " connection", this.name, name);
    if (!replacing) {
      replacing = true;
      vertx.setTimer(REPLACE_DELAY_MS, t -> replaceSubscriber(conn));
    }
  }

  private void replaceSubscriber(RedisConnection old) {
    if (closed || old != subscriber) {
      replacing = false;
      return;
    }
    factory.connect().compose(fresh -> {
      if (closed || old != subscriber) {
        fresh.close();
        return Future.succeededFuture();
      }
      boolean[] live = {false};
      // What the new connection hears before the old one is gone would come twice: the old one
      // delivers it, and what it missed is read from history afterwards.
      fresh.handler(push -> {
        if (live[0]) {
          if (isDroppedShardSubscription(push)) {
            subscriptionDropped(fresh, push.get(1).toString());
          }
          onMessage.handle(push);
        }
      });
      return resubscribeAll(fresh).map(v -> {
        if (closed || old != subscriber) {
          fresh.close(); // the link was lost or closed meanwhile: what replaced the old one stays
          return old;
        }
        old.handler(push -> {});
        old.exceptionHandler(e -> {});
        old.endHandler(v2 -> {});
        subscriber = fresh;
        ownUnsubscribes.clear();
        live[0] = true;
        fresh.exceptionHandler(e -> lost(fresh, e.toString()));
        fresh.endHandler(v2 -> lost(fresh, "connection closed"));
        old.close();
        return fresh;
      }).onFailure(e -> fresh.close()).<Void>mapEmpty();
    }).onComplete(ar -> {
      replacing = false;
      if (ar.failed()) {
        lost(old, "the subscriber connection could not be replaced after a slot moved: " + ar.cause());
      } else if (subscriber != old && subscriber != null && healthy) {
        onResubscribed.handle(null);
        // Once more when the cluster has settled: a message the old owner took just before it let the
        // slot go is in history but may have no later message on its channel to show the gap.
        RedisConnection fresh = subscriber;
        vertx.setTimer(SETTLE_CHECK_MS, t -> {
          if (!closed && subscriber == fresh && healthy) {
            onResubscribed.handle(null);
          }
        });
      }
    });
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
        if (e.getValue()) {
          ownUnsubscribes.merge(e.getKey(), 1, Integer::sum);
        }
        left.add(conn.send(Request.cmd(e.getValue() ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(e.getKey())));
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
        shards.add(conn.send(Request.cmd(Command.SSUBSCRIBE).arg(e.getKey())));
      } else {
        classic.add(e.getKey());
      }
    }
    for (int i = 0; i < classic.size(); i += SUBSCRIBE_BATCH) {
      Request req = Request.cmd(Command.SUBSCRIBE);
      classic.subList(i, Math.min(classic.size(), i + SUBSCRIBE_BATCH)).forEach(req::arg);
      shards.add(conn.send(req));
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
    if (conn == subscriber) {
      subscriber = null;
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
      log.warn("redis {}: connection lost ({}); publishes answer unavailable until it is back", name, why);
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
        connect(true);
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
