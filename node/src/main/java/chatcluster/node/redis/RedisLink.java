package chatcluster.node.redis;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis server as the node sees it: a pooled client for commands and one dedicated connection
 * for pub/sub. The subscriber connection is re-established with backoff after any loss, and every
 * channel the node wants is subscribed again: the Vert.x client does not restore subscriptions by
 * itself. Used from the node's event loop only.
 */
public final class RedisLink {
  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 3000;
  /** Channels per SUBSCRIBE command when resubscribing. */
  private static final int SUBSCRIBE_BATCH = 500;

  private final Vertx vertx;
  private final String name;
  private final Redis commands;
  private final Redis subscriberFactory;
  private final Handler<Response> onMessage;
  private final Handler<Void> onResubscribed;
  private final Set<String> wanted = new LinkedHashSet<>();
  private RedisConnection subscriber;
  private boolean healthy;
  private boolean closed;
  private int attempts;

  /**
   * @param onMessage      receives pub/sub pushes ({@code message, channel, payload})
   * @param onResubscribed runs after a lost subscriber connection was restored and resubscribed
   */
  public RedisLink(Vertx vertx, String url, Handler<Response> onMessage, Handler<Void> onResubscribed) {
    this.vertx = vertx;
    this.name = redactedUrl(url);
    RedisOptions options = new RedisOptions().setConnectionString(url).setMaxPoolSize(8).setMaxPoolWaiting(10_000)
        .setMaxWaitingHandlers(100_000);
    this.commands = Redis.createClient(vertx, options);
    this.subscriberFactory = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    this.onMessage = onMessage;
    this.onResubscribed = onResubscribed;
  }

  /** Connects the subscriber; completes after the first attempt, successful or not (then it retries). */
  public Future<Void> start() {
    return connect(false).recover(e -> Future.succeededFuture());
  }

  public boolean healthy() {
    return healthy;
  }

  public String name() {
    return name;
  }

  public Future<Response> send(Request request) {
    return commands.send(request);
  }

  public Future<List<Response>> batch(List<Request> requests) {
    return commands.batch(requests);
  }

  /** Subscribes now when connected; in any case the channel is subscribed again after a reconnect. */
  public Future<Void> subscribe(String channel) {
    if (!wanted.add(channel)) {
      return Future.succeededFuture();
    }
    if (!healthy) {
      return Future.succeededFuture();
    }
    return subscriber.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
  }

  public Future<Void> unsubscribe(String channel) {
    if (!wanted.remove(channel) || !healthy) {
      return Future.succeededFuture();
    }
    return subscriber.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)).<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private Future<Void> connect(boolean reconnect) {
    return subscriberFactory.connect().compose(conn -> {
      if (closed) {
        conn.close();
        return Future.failedFuture("closed");
      }
      subscriber = conn;
      conn.handler(onMessage);
      conn.exceptionHandler(e -> lost(conn, e.toString()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      return resubscribeAll(conn).map(v -> {
        healthy = true;
        attempts = 0;
        log.info("redis {}: {} ({} channels subscribed)", name, reconnect ? "reconnected" : "connected",
            wanted.size());
        if (reconnect) {
          onResubscribed.handle(null);
        }
        return (Void) null;
      });
    }).onFailure(e -> {
      log.warn("redis {}: cannot connect: {}", name, e.getMessage());
      scheduleReconnect();
    });
  }

  private Future<Void> resubscribeAll(RedisConnection conn) {
    List<String> channels = new ArrayList<>(wanted);
    Future<Void> f = Future.succeededFuture();
    for (int i = 0; i < channels.size(); i += SUBSCRIBE_BATCH) {
      Request req = Request.cmd(Command.SUBSCRIBE);
      channels.subList(i, Math.min(channels.size(), i + SUBSCRIBE_BATCH)).forEach(req::arg);
      f = f.compose(v -> conn.send(req).mapEmpty());
    }
    return f;
  }

  private void lost(RedisConnection conn, String why) {
    if (conn != subscriber || closed) {
      return;
    }
    subscriber = null;
    if (healthy) {
      log.warn("redis {}: subscriber connection lost ({}); reconnecting", name, why);
    }
    healthy = false;
    conn.close();
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempts++, 10));
    long delay = MIN_BACKOFF_MS / 2 + ThreadLocalRandom.current().nextLong(ceiling); // jittered
    vertx.setTimer(delay, t -> {
      if (!closed && subscriber == null) {
        connect(true);
      }
    });
  }

  public Future<Void> close() {
    closed = true;
    healthy = false;
    Promise<Void> done = Promise.promise();
    Future<Void> sub = subscriber == null ? Future.succeededFuture() : subscriber.close();
    sub.eventually(() -> {
      subscriberFactory.close();
      return commands.close();
    }).onComplete(ar -> done.complete());
    return done.future();
  }

  static String redactedUrl(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
