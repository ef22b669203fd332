package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps' webhooks: events are collected per app for {@link #BATCH_MILLIS} (lifecycle events,
 * {@link #LIFECYCLE}, not: they go at once with what is waiting) and sent as one
 * {@code {"time_ms", "events":[…]}} POST per target (at most {@link #MAX_BATCH} events each), signed
 * with {@code X-Pusher-Key} and {@code X-Pusher-Signature} (HMAC-SHA256 of the body with the secret).
 * A target that does not answer 2xx is retried {@link #RETRIES} times with backoff (1, 2, 4, 8, 16 s);
 * then the batch is dropped and logged. A target gets one request at a time, in the order the batches
 * were made: the next waits for the answer to the one before (and for its retries).
 *
 * <p>Once per cluster: the node that observes a change sends its webhook, and only one node observes
 * each change (see {@link PusherNode}). Delivery is at least once per target up to the retries: a
 * target that took a batch but answered late may get it again.
 *
 * <p>Threading: belongs to the node's context; {@link #add} may be called from any thread and hops there.
 */
final class PusherWebhooks {
  private static final Logger log = LoggerFactory.getLogger(PusherWebhooks.class);
  static final long BATCH_MILLIS = 100;
  static final int MAX_BATCH = 100;
  static final int RETRIES = 5;
  /** Events one app may have waiting; more are dropped (a target that is down for long). */
  static final int MAX_QUEUED = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final WebClient client;
  private final Map<String, List<JsonObject>> queued = new HashMap<>();
  /** Per app and URL: the events waiting for the request in flight. */
  private final Map<String, Target> targets = new HashMap<>();
  /**
   * Events sent at once (with whatever was waiting): transitions that another node may decide right
   * after this one (a channel vacated here and occupied there), so that their requests leave in the
   * order the cluster decided them and reach the app in that order but for the network's jitter.
   */
  static final java.util.Set<String> LIFECYCLE =
      java.util.Set.of("channel_occupied", "channel_vacated", "member_added", "member_removed");

  PusherWebhooks(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
    this.client = WebClient.create(vertx);
  }

  /** Queues one event ({@code name} and its fields) of {@code app}; nothing happens when it has no webhooks. */
  void add(PusherApp app, JsonObject event) {
    if (app.webhooks().isEmpty()) {
      return;
    }
    boolean atOnce = LIFECYCLE.contains(event.getString("name"));
    context.runOnContext(v -> {
      List<JsonObject> list = queued.get(app.id());
      if (list == null) {
        list = new ArrayList<>();
        queued.put(app.id(), list);
        if (!atOnce) {
          vertx.setTimer(BATCH_MILLIS, t -> flush(app));
        }
      }
      if (list.size() < MAX_QUEUED) {
        list.add(event);
      } else {
        log.warn("pusher app {}: webhook queue full, event {} dropped", app.id(), event.getString("name"));
      }
      if (atOnce) {
        flush(app); // with what was waiting before it, in order; the batch's timer then finds nothing
      }
    });
  }

  private void flush(PusherApp app) {
    List<JsonObject> events = queued.remove(app.id());
    if (events == null) {
      return;
    }
    for (PusherApp.Webhook hook : app.webhooks()) {
      Target target = targets.computeIfAbsent(app.id() + "\n" + hook.url(), k -> new Target(app, hook.url()));
      int dropped = 0;
      for (JsonObject e : events) {
        if (!hook.wants(e.getString("name"))) {
          continue;
        }
        if (target.waiting.size() >= MAX_QUEUED) {
          dropped++;
        } else {
          target.waiting.add(e);
        }
      }
      if (dropped > 0) {
        log.warn("pusher app {}: webhook target {} is {} events behind, {} dropped", app.id(), hook.url(),
            MAX_QUEUED, dropped);
      }
      if (!target.sending) {
        sendNext(target);
      }
    }
  }

  /**
   * One target's events, sent one request at a time so that they reach it in the order they were
   * made; what waited meanwhile goes in the next request (up to {@link #MAX_BATCH} events).
   */
  private static final class Target {
    final PusherApp app;
    final String url;
    final ArrayDeque<JsonObject> waiting = new ArrayDeque<>();
    boolean sending;

    Target(PusherApp app, String url) {
      this.app = app;
      this.url = url;
    }
  }

  private void sendNext(Target target) {
    target.sending = !target.waiting.isEmpty();
    if (!target.sending) {
      return;
    }
    JsonArray batch = new JsonArray();
    while (!target.waiting.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(target.waiting.poll());
    }
    send(target, new JsonObject().put("time_ms", System.currentTimeMillis()).put("events", batch).encode(), 0);
  }

  private void send(Target target, String body, int attempt) {
    PusherApp app = target.app;
    String url = target.url;
    client.postAbs(url).timeout(10_000)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Pusher-Key", app.key())
        .putHeader("X-Pusher-Signature", PusherSigning.webhookSignature(app, body))
        .sendBuffer(Buffer.buffer(body))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            sendNext(target);
            return;
          }
          String why = ar.succeeded() ? "status " + ar.result().statusCode() : ar.cause().toString();
          if (attempt < RETRIES) {
            long delay = 1000L << attempt;
            log.debug("pusher app {}: webhook to {} failed ({}), retry in {} ms", app.id(), url, why, delay);
            vertx.setTimer(delay, t -> send(target, body, attempt + 1));
          } else {
            log.warn("pusher app {}: webhook to {} failed {} times ({}), batch dropped", app.id(), url, RETRIES + 1, why);
            sendNext(target);
          }
        });
  }

  void close() {
    client.close();
  }
}
