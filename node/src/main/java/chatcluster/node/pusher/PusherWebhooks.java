package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps' webhooks: events are collected per app for {@link #BATCH_MILLIS} and sent as one
 * {@code {"time_ms", "events":[…]}} POST per target (at most {@link #MAX_BATCH} events each), signed
 * with {@code X-Pusher-Key} and {@code X-Pusher-Signature} (HMAC-SHA256 of the body with the secret).
 * A target that does not answer 2xx is retried {@link #RETRIES} times with backoff (1, 2, 4, 8, 16 s);
 * then the batch is dropped and logged.
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
    context.runOnContext(v -> {
      List<JsonObject> list = queued.get(app.id());
      if (list == null) {
        list = new ArrayList<>();
        queued.put(app.id(), list);
        vertx.setTimer(BATCH_MILLIS, t -> flush(app));
      }
      if (list.size() < MAX_QUEUED) {
        list.add(event);
      } else {
        log.warn("pusher app {}: webhook queue full, event {} dropped", app.id(), event.getString("name"));
      }
    });
  }

  private void flush(PusherApp app) {
    List<JsonObject> events = queued.remove(app.id());
    if (events == null) {
      return;
    }
    for (PusherApp.Webhook hook : app.webhooks()) {
      List<JsonObject> wanted = events.stream().filter(e -> hook.wants(e.getString("name"))).toList();
      for (int from = 0; from < wanted.size(); from += MAX_BATCH) {
        JsonArray batch = new JsonArray(new ArrayList<>(wanted.subList(from, Math.min(wanted.size(), from + MAX_BATCH))));
        String body = new JsonObject().put("time_ms", System.currentTimeMillis()).put("events", batch).encode();
        send(app, hook.url(), body, 0);
      }
    }
  }

  private void send(PusherApp app, String url, String body, int attempt) {
    client.postAbs(url).timeout(10_000)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Pusher-Key", app.key())
        .putHeader("X-Pusher-Signature", PusherSigning.webhookSignature(app, body))
        .sendBuffer(Buffer.buffer(body))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            return;
          }
          String why = ar.succeeded() ? "status " + ar.result().statusCode() : ar.cause().toString();
          if (attempt < RETRIES) {
            long delay = 1000L << attempt;
            log.debug("pusher app {}: webhook to {} failed ({}), retry in {} ms", app.id(), url, why, delay);
            vertx.setTimer(delay, t -> send(app, url, body, attempt + 1));
          } else {
            log.warn("pusher app {}: webhook to {} failed {} times ({}), batch dropped", app.id(), url, RETRIES + 1, why);
          }
        });
  }

  void close() {
    client.close();
  }
}
