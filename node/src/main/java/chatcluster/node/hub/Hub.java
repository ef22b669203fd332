package chatcluster.node.hub;

import chatcluster.node.broker.Broker;
import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.broker.Direct;
import chatcluster.node.channel.Delivery;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.transport.WireFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node-level fan-out between the broker and the node's event loops.
 *
 * <p>The node holds exactly one broker subscription per channel, however many loops hold subscribers
 * of it: taken when the first loop gains a subscriber, dropped when the last loop loses its last. A
 * frame arrives from the broker once per node, already encoded; the hub hands the same bytes to each
 * loop that has subscribers of the channel, and each loop writes them to its connections
 * ({@link LoopChannels}). Hand-offs to one loop keep the broker's order, so every subscriber on every
 * loop sees a channel's frames in the order the broker delivered them.
 *
 * <p>Threading: the hub's state belongs to the node's context. {@link #subscribe} and
 * {@link #unsubscribe} may be called from any loop; they hop to the node's context and their Futures
 * complete on the caller's. The delivery methods are the broker's handlers and run on the node's
 * context. {@link #subscriberCount} and {@link #channels} read a concurrent summary from any thread.
 */
public final class Hub {
  /** Where the hub hands frames: one of the node's event loops. Its methods run on its own context. */
  public interface Loop {
    Context context();

    /**
     * Writes channel frames (or, with no channel, frames for everyone) to this loop's connections, in
     * list order, and flushes each connection written to once at the end.
     */
    void deliver(List<Delivery> deliveries);

    /** Writes a direct frame to this loop's connections of its user or device; returns how many. */
    int deliverDirect(Direct direct);

    /** Carries out a backend's device command on this loop's connections of the device; returns how many. */
    int apply(DeviceCommand command);

    /** This loop's connections by id, user and device (read on the loop's context only). */
    LoopRecipients recipients();
  }

  private static final class Channel {
    /** Subscribers per loop index. */
    final int[] perLoop;
    int loops;
    Future<Void> ready;

    Channel(int loopCount) {
      perLoop = new int[loopCount];
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Broker broker;
  private final NodeMetrics metrics;
  private final Loop[] loops;
  /** What waits for each loop: hand-overs queue up and the loop takes them all in one task. */
  private final Inbox[] inboxes;
  private final Map<String, Channel> channels = new HashMap<>();
  /** Subscribers per channel on this node, readable from any thread. */
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();

  /** Called on the node's context, which the hub then belongs to; {@code loopCount} loops will {@link #attach}. */
  public Hub(Vertx vertx, Broker broker, NodeMetrics metrics, int loopCount) {
    this.vertx = vertx;
    this.loops = new Loop[loopCount];
    this.inboxes = new Inbox[loopCount];
    this.context = vertx.getOrCreateContext();
    this.broker = broker;
    this.metrics = metrics;
    broker.onDelivery(this::deliver);
    broker.onDirect(this::deliverDirect);
    broker.onDeviceCommand(this::apply);
  }

  /** Puts loop number {@code index} in place. On the node's context, before the loop takes connections. */
  public void attach(int index, Loop loop) {
    loops[index] = loop;
    inboxes[index] = new Inbox(loop);
  }

  /**
   * Counts one more subscriber of {@code channel} on loop {@code loop}. The Future completes, on the
   * caller's context, once the node's broker subscription for the channel is in place.
   */
  public Future<Void> subscribe(String channel, int loop) {
    return Contexts.call(vertx, context, () -> {
      Channel c = channels.computeIfAbsent(channel, k -> new Channel(loops.length));
      if (c.perLoop[loop]++ == 0) {
        c.loops++;
      }
      counts.merge(channel, 1, Integer::sum);
      if (c.ready == null) {
        Promise<Void> ready = Promise.promise();
        c.ready = ready.future();
        broker.subscribe(channel).onComplete(ready);
        c.ready.onFailure(e -> {
          if (channels.get(channel) == c) {
            c.ready = null; // the next subscriber tries again
          }
        });
      }
      return c.ready;
    });
  }

  /** Counts one subscriber less; the last one on the node ends the broker subscription. */
  public Future<Void> unsubscribe(String channel, int loop) {
    return Contexts.call(vertx, context, () -> {
      Channel c = channels.get(channel);
      if (c == null || c.perLoop[loop] == 0) {
        return Future.succeededFuture();
      }
      if (--c.perLoop[loop] == 0) {
        c.loops--;
      }
      counts.computeIfPresent(channel, (k, n) -> n <= 1 ? null : n - 1);
      if (c.loops == 0) {
        channels.remove(channel);
        return broker.unsubscribe(channel);
      }
      return Future.succeededFuture();
    });
  }

  /** This node's subscribers of a channel, over all loops. Any thread. */
  public int subscriberCount(String channel) {
    return counts.getOrDefault(channel, 0);
  }

  /** The channels with subscribers on this node. Any thread. */
  public Set<String> channels() {
    return Set.copyOf(counts.keySet());
  }

  // ------------------------------------------------------------------ from the broker, on the node's context

  private void deliver(Delivery d) {
    if (d.everyone()) {
      Delivery out = withWire(d);
      for (Inbox inbox : inboxes) {
        if (inbox != null) {
          handOver(inbox, out);
        }
      }
      return;
    }
    Channel c = channels.get(d.channel());
    if (c == null) {
      return;
    }
    Delivery out = withWire(d);
    for (int i = 0; i < c.perLoop.length; i++) {
      if (c.perLoop[i] > 0) {
        handOver(inboxes[i], out);
      }
    }
  }

  /** The one whole WebSocket frame of this message on this node, shared by every loop and subscriber. */
  private static Delivery withWire(Delivery d) {
    return d.wire() != null ? d : d.withWire(WireFrame.text(d.frame()));
  }

  private void handOver(Inbox inbox, Delivery d) {
    metrics.loopHandOvers.increment();
    inbox.add(d);
  }

  /**
   * Hand-overs to one loop, in order. The first hand-over schedules a task on the loop, which takes
   * everything queued by the time it runs: under load a loop writes several messages per task and
   * flushes each connection once for all of them.
   */
  private static final class Inbox {
    private final Loop loop;
    private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Reused by the loop's task (one task at a time per loop). */
    private final ArrayList<Delivery> taken = new ArrayList<>();

    Inbox(Loop loop) {
      this.loop = loop;
    }

    void add(Delivery d) {
      queue.add(d);
      if (scheduled.compareAndSet(false, true)) {
        loop.context().runOnContext(v -> drain());
      }
    }

    private void drain() {
      // Cleared first: a hand-over racing with the polls below schedules a task of its own.
      scheduled.set(false);
      Delivery d;
      while ((d = queue.poll()) != null) {
        taken.add(d);
      }
      if (taken.isEmpty()) {
        return;
      }
      try {
        loop.deliver(taken);
      } finally {
        taken.clear();
      }
    }
  }

  private Future<Integer> deliverDirect(Direct d) {
    return everyLoop(loop -> loop.deliverDirect(d));
  }

  private Future<Integer> apply(DeviceCommand c) {
    return everyLoop(loop -> loop.apply(c));
  }

  /**
   * Runs {@code action} on every loop, each on its own context, and collects what they answer in loop
   * order (the operations console's look at sessions, its disconnects). Any thread; the Future
   * completes on the caller's context.
   */
  public <T> Future<List<T>> onEveryLoop(java.util.function.Function<Loop, T> action) {
    List<Future<T>> parts = new ArrayList<>(loops.length);
    for (Loop loop : loops) {
      if (loop != null) {
        parts.add(Contexts.call(vertx, loop.context(), () -> Future.succeededFuture(action.apply(loop))));
      }
    }
    return Contexts.onCaller(Future.all(parts).map(all -> {
      List<T> out = new ArrayList<>(parts.size());
      parts.forEach(f -> out.add(f.result()));
      return out;
    }));
  }

  /** The loops' subscriber counts of every channel on this node whose name starts with {@code prefix}. Any thread. */
  public Map<String, Integer> subscriberCounts(String prefix) {
    Map<String, Integer> out = new HashMap<>();
    counts.forEach((name, n) -> {
      if (name.startsWith(prefix)) {
        out.put(name, n);
      }
    });
    return out;
  }

  /** Runs {@code action} on every loop, on its own context; the Future holds the sum of the results. */
  private Future<Integer> everyLoop(java.util.function.ToIntFunction<Loop> action) {
    List<Future<Integer>> parts = new ArrayList<>(loops.length);
    for (Loop loop : loops) {
      if (loop == null) {
        continue;
      }
      parts.add(Contexts.call(vertx, loop.context(), () -> Future.succeededFuture(action.applyAsInt(loop))));
    }
    return Future.all(parts).map(all -> {
      int sum = 0;
      for (Future<Integer> f : parts) {
        sum += f.result();
      }
      return sum;
    });
  }
}
