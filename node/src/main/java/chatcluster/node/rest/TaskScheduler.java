package chatcluster.node.rest;

import chatcluster.node.config.ApiSettings;
import chatcluster.node.tasks.ScheduledTask;
import chatcluster.node.tasks.TaskStore;

import chatcluster.cluster.ClusterState;
import chatcluster.node.core.Outbound;
import chatcluster.node.broker.Direct;
import chatcluster.node.config.Ids;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.runtime.Contexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduled tasks: each task once per interval in the whole cluster. Every node ticks every
 * {@link #TICK_MS}; a task due within the next tick is run by the node holding its lease (taken from
 * the cluster state, renewed while held, lost when the holder dies), which then stores the task's
 * next due time so that whoever holds the lease later continues the same schedule. Results go to
 * every connection of the owner device, on any node; a task whose owner has been gone longer than
 * {@code ownerTtl} ends.
 *
 * <p>Threading: the scheduler belongs to the context it was created on (the node's); {@link #create},
 * {@link #list}, {@link #cancel} and {@link #tasks} may be called from any event loop, run on that
 * context in call order and complete on the caller's.
 */
public final class TaskScheduler {
  private static final Logger log = LoggerFactory.getLogger(TaskScheduler.class);
  static final long TICK_MS = 250;

  private final Vertx vertx;
  private final Context context;
  private final ApiProxy proxy;
  private final TaskStore store;
  private final ClusterState cluster;
  private final Outbound outbound;
  private final ApiSettings settings;
  private final Set<String> running = new HashSet<>();
  private long timer = -1;
  private boolean ticking;

  public TaskScheduler(Vertx vertx, ApiProxy proxy, TaskStore store, ClusterState cluster, Outbound outbound) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.proxy = proxy;
    this.store = store;
    this.cluster = cluster;
    this.outbound = outbound;
    this.settings = proxy.settings();
  }

  public void start() {
    timer = vertx.setPeriodic(TICK_MS, t -> tick());
  }

  /** Stops running tasks; completes when the store has written every change. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return store.flush();
  }

  // ------------------------------------------------------------------ commands

  /** {@code request} with an interval: validates, stores, and answers {task, interval, next}. */
  public Future<JsonObject> create(String device, String path, String method, Object body, JsonObject headers,
                                   long interval) {
    return Contexts.call(vertx, context, () -> createHere(device, path, method, body, headers, interval));
  }

  /** The caller's device's tasks as {tasks:[…]}. Any thread. */
  public Future<JsonObject> list(String device) {
    return Contexts.call(vertx, context, () -> listHere(device));
  }

  /** Cancels one of the device's tasks. Any thread. */
  public Future<JsonObject> cancel(String device, String id) {
    return Contexts.call(vertx, context, () -> cancelHere(device, id));
  }

  private Future<JsonObject> createHere(String device, String path, String method, Object body, JsonObject headers,
                                        long interval) {
    try {
      proxy.validate(path, method, headers);
      if (interval * 1000 < settings.minInterval().toMillis()) {
        throw ChatException.badRequest("interval must be at least " + settings.minInterval().toMillis() / 1000.0
            + " s");
      }
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    return store.all().compose(tasks -> {
      long owned = tasks.stream().filter(t -> t.device().equals(device)).count();
      if (owned >= settings.maxPerDevice()) {
        return Future.failedFuture(new ChatException(ErrorCode.RATE_LIMITED,
            "a device may own at most " + settings.maxPerDevice() + " scheduled tasks"));
      }
      long now = System.currentTimeMillis();
      ScheduledTask task = new ScheduledTask("t-" + Ids.random(12), device, path, method, body, headers, interval,
          now + interval * 1000, null, now);
      log.info("task {} of device {}: {} {} every {} s", task.id(), device, method, path, interval);
      return store.put(task).map(v -> new JsonObject().put("task", task.id()).put("interval", interval)
          .put("next", task.next()));
    });
  }

  private Future<JsonObject> listHere(String device) {
    return store.all().map(tasks -> new JsonObject().put("tasks", new JsonArray(tasks.stream()
        .filter(t -> t.device().equals(device)).map(ScheduledTask::summary).toList())));
  }

  private Future<JsonObject> cancelHere(String device, String id) {
    return store.get(id).compose(task -> {
      if (task == null || !task.device().equals(device)) {
        return Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "no task '" + id + "' of this device"));
      }
      log.info("task {} cancelled by device {}", id, device);
      return store.remove(id).compose(v -> cluster.releaseLease(leaseName(id)))
          .map(v -> new JsonObject().put("task", id));
    });
  }

  // ------------------------------------------------------------------ running

  private void tick() {
    if (ticking) {
      return; // the previous tick still waits for the store
    }
    ticking = true;
    store.all().onComplete(ar -> {
      ticking = false;
      if (ar.failed()) {
        log.debug("tasks not read this tick: {}", ar.cause().toString());
        return;
      }
      long now = System.currentTimeMillis();
      for (ScheduledTask task : ar.result()) {
        if (running.contains(task.id()) || task.next() - now > TICK_MS) {
          continue;
        }
        cluster.acquireLease(leaseName(task.id()), leaseTtl(task)).onSuccess(held -> {
          if (held && !running.contains(task.id())) {
            run(task);
          }
        });
      }
    });
  }

  static Duration leaseTtl(ScheduledTask task) {
    long ms = Math.max(1500, Math.min(30_000, task.interval() * 1000 + TICK_MS));
    return Duration.ofMillis(ms);
  }

  static String leaseName(String id) {
    return "task:" + id;
  }

  private void run(ScheduledTask planned) {
    running.add(planned.id());
    // Re-read: another node may have run it and moved its schedule on since our tick read it.
    store.get(planned.id()).compose(task -> {
      long now = System.currentTimeMillis();
      if (task == null || task.next() - now > TICK_MS) {
        return Future.succeededFuture();
      }
      long wait = Math.max(0, task.next() - now);
      if (wait == 0) {
        return execute(task);
      }
      // Read once more after the wait: a task cancelled (or run elsewhere) meanwhile must not run.
      return delay(wait).compose(v -> store.get(task.id())).compose(still ->
          still == null || still.next() - System.currentTimeMillis() > TICK_MS ? Future.succeededFuture()
              : execute(still));
    }).onComplete(ar -> {
      running.remove(planned.id());
      if (ar.failed()) {
        log.warn("task {} run failed: {}", planned.id(), ar.cause().toString());
      }
    });
  }

  private Future<Void> delay(long ms) {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  private Future<Void> execute(ScheduledTask task) {
    return proxy.call(task.path(), task.method(), task.body(), task.headers(), task.id()).transform(ar -> {
      long ts = System.currentTimeMillis();
      Buffer frame;
      Integer status = null;
      if (ar.succeeded()) {
        status = ar.result().status();
        frame = FrameCodec.taskResult(task.id(), ts, status, ar.result().body());
      } else {
        ChatException e = ar.cause() instanceof ChatException ce ? ce
            : new ChatException(ErrorCode.INTERNAL, "internal error");
        frame = FrameCodec.taskFailure(task.id(), ts, e.code(), e.getMessage());
      }
      Integer finalStatus = status;
      return outbound.sendDirect(new Direct(null, task.device(), frame)).compose(delivered -> {
        ScheduledTask next = task.afterRun(ts, finalStatus, delivered > 0);
        if (delivered == 0 && ts - next.ownerSeen() > settings.ownerTtl().toMillis()) {
          log.info("task {} ends: its owner {} has been gone for over {} s", task.id(), task.device(),
              settings.ownerTtl().toSeconds());
          return store.remove(task.id()).compose(v -> cluster.releaseLease(leaseName(task.id())));
        }
        return store.put(next);
      });
    });
  }

  /** Tasks are read by the scheduler's tick; this is for tests and the stats endpoint. */
  public Future<List<ScheduledTask>> tasks() {
    return Contexts.call(vertx, context, store::all);
  }
}
