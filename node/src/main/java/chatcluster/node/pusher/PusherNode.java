package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pusher adapter's node-level part: the apps, the webhooks, channel occupancy, and the bridge from
 * native publishes to Pusher subscribers. Each event loop gets a {@link PusherLoop} from {@link #forLoop}.
 *
 * <p><b>Occupancy, once per cluster.</b> The node counts its own subscribers per app channel. When its
 * first arrives it enters itself in the channel's occupancy set (the presence store, under
 * {@link PusherChannel#occupancy}); the store answers the set as it is right after, in the same
 * atomic step, and the node that finds itself alone sends {@code channel_occupied}. When its last
 * leaves it takes itself out the same way, and the node whose removal leaves the set empty sends
 * {@code channel_vacated}: of nodes doing so at once exactly one. A node that dies is taken out of the
 * set by the others without a webhook. Member changes are the node's presence membership's
 * ({@link chatcluster.node.core.Presence}, rendered by {@link PusherPresence}), client events are
 * decided by the node that receives them.
 *
 * <p>Threading: built and owned by the node's context; {@link #channelJoined}, {@link #channelLeft} and
 * {@link #webhook} may be called from any loop and hop there. The app maps are immutable.
 */
public final class PusherNode {
  private static final Logger log = LoggerFactory.getLogger(PusherNode.class);

  private final NodeServices node;
  private final Context context;
  private final Map<String, PusherApp> byId;
  private final Map<String, PusherApp> byKey;
  private final PusherWebhooks webhooks;
  /** This node's subscribers per occupancy key; on the node's context. */
  private final Map<String, Integer> local = new HashMap<>();
  /** Occupancy entries of this node being added, per key, for subscribers that arrive meanwhile; on the node's context. */
  private final Map<String, Future<Void>> recording = new HashMap<>();

  /** The node's HTTP fallback sessions ({@code xhr_streaming}, {@code xhr_polling}), shared by its loops. */
  private final chatcluster.node.transport.HttpFallback.Registry httpSessions =
      new chatcluster.node.transport.HttpFallback.Registry();

  public chatcluster.node.transport.HttpFallback.Registry httpSessions() {
    return httpSessions;
  }

  /** On the node's context, with the node's own services (not a loop's). */
  public PusherNode(NodeServices node, List<PusherApp> apps) {
    this.node = node;
    this.context = node.vertx().getOrCreateContext();
    this.byId = apps.stream().collect(Collectors.toUnmodifiableMap(PusherApp::id, Function.identity()));
    this.byKey = apps.stream().collect(Collectors.toUnmodifiableMap(PusherApp::key, Function.identity()));
    this.webhooks = new PusherWebhooks(node.vertx(), context);
  }

  public boolean enabled() {
    return !byId.isEmpty();
  }

  public PusherApp appById(String id) {
    return byId.get(id);
  }

  public PusherApp appByKey(String key) {
    return byKey.get(key);
  }

  /** How the adapter's presence channels announce joins and leaves (see {@link PusherPresence}). */
  public chatcluster.node.core.Presence.Rendering presenceRendering() {
    return new PusherPresence(this);
  }

  /** This loop's side of the adapter, with the loop's services. */
  public PusherLoop forLoop(LoopServices loop) {
    return new PusherLoop(this, new PusherService(loop, this));
  }

  /** Queues a webhook event of {@code app}. Any thread. */
  void webhook(PusherApp app, JsonObject event) {
    webhooks.add(app, event);
  }

  /** Milliseconds between two {@code cache_miss} webhooks of one channel from this node. */
  static final long CACHE_MISS_INTERVAL_MS = 5000;
  private final java.util.concurrent.ConcurrentHashMap<String, Long> cacheMisses = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A subscriber found a cache channel empty: the {@code cache_miss} webhook, so that the app can
   * publish the channel's state; at most one per channel per {@link #CACHE_MISS_INTERVAL_MS} from a
   * node (a crowd subscribing to an empty channel is one miss). Any thread.
   */
  void cacheMiss(PusherApp app, String channel) {
    long now = System.currentTimeMillis();
    String key = app.id() + "\n" + channel;
    boolean[] due = new boolean[1];
    cacheMisses.compute(key, (k, last) -> {
      due[0] = last == null || now - last >= CACHE_MISS_INTERVAL_MS;
      return due[0] ? now : last;
    });
    if (cacheMisses.size() > 10_000) {
      cacheMisses.values().removeIf(t -> now - t >= CACHE_MISS_INTERVAL_MS);
    }
    if (due[0]) {
      webhook(app, new JsonObject().put("name", "cache_miss").put("channel", channel));
    }
  }

  /** How long a node gathers a channel's subscription changes before it tells the new count. */
  static final long SUBSCRIPTION_COUNT_INTERVAL_MS = 1000;
  /** Channels (their counters) whose new count this node is about to tell; on the node's context. */
  private final java.util.Set<String> countsDue = new java.util.HashSet<>();

  /**
   * A subscription to the channel was added or removed here: when the app asks for subscription
   * counts, every subscriber of the channel on every node gets the cluster-wide count once this
   * node's changes of the last {@link #SUBSCRIPTION_COUNT_INTERVAL_MS} are counted
   * ({@code pusher_internal:subscription_count}, which pusher-js hands to {@code pusher:subscription_count}
   * callbacks), with the {@code subscription_count} webhook. Not on presence channels, whose members
   * are told otherwise. Any thread.
   */
  void subscriptionCountChanged(PusherApp app, PusherChannel channel) {
    if (!app.subscriptionCount() || channel.kind() == PusherChannel.Kind.PRESENCE) {
      return;
    }
    String counter = PusherChannel.subscriptionCounter(app.id(), channel.name());
    context.runOnContext(v -> {
      if (!countsDue.add(counter)) {
        return; // already due: that announcement will count this change too
      }
      node.vertx().setTimer(SUBSCRIPTION_COUNT_INTERVAL_MS, t -> node.cluster().count(counter).onComplete(ar -> {
        countsDue.remove(counter);
        if (ar.failed()) {
          log.debug("subscription count of {} not told: {}", channel.name(), ar.cause().toString());
          return;
        }
        long count = ar.result();
        node.outbound().emitMessage(channel.internal(app.id()), PusherFrames.excluding(null, PusherFrames.event(
            channel.name(), "pusher_internal:subscription_count",
            new JsonObject().put("subscription_count", count).encode(), null)));
        webhook(app, new JsonObject().put("name", "subscription_count").put("channel", channel.name())
            .put("subscription_count", count));
      }));
    });
  }

  /**
   * Counts a subscriber of {@code name} on this node; may send channel_occupied. The Future completes
   * (on the caller's context) once the node's occupancy entry is in the store, so that a subscriber
   * told {@code subscription_succeeded} is counted in the channel's occupancy: of two subscribers on
   * two nodes that both got it, neither one's leave can find the channel empty while the other is
   * in. Any thread.
   */
  Future<Void> channelJoined(PusherApp app, String name) {
    String key = PusherChannel.occupancy(app.id(), name);
    return Contexts.call(node.vertx(), context, () -> {
      if (local.merge(key, 1, Integer::sum) > 1) {
        Future<Void> pending = recording.get(key);
        return pending == null ? Future.succeededFuture() : pending;
      }
      Future<Void> recorded = node.presence().store().add(key, node.nodeId(),
              new PresenceMember(node.nodeId(), node.nodeId(), node.nodeId()))
          .onSuccess(change -> {
            // Counted in the same step as the add: of nodes occupying it at once, one finds itself alone.
            if (change.entries() == 1) {
              webhook(app, new JsonObject().put("name", "channel_occupied").put("channel", name));
            }
          })
          .onFailure(e -> log.debug("occupancy of {} not recorded: {}", key, e.toString()))
          .mapEmpty();
      recording.put(key, recorded);
      recorded.onComplete(x -> recording.remove(key, recorded));
      return recorded;
    });
  }

  /** Counts a subscriber less; the node's last one may send channel_vacated. Any thread. */
  void channelLeft(PusherApp app, String name) {
    String key = PusherChannel.occupancy(app.id(), name);
    context.runOnContext(v -> {
      Integer left = local.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      if (left == null) {
        node.presence().store().remove(key, node.nodeId())
            .onSuccess(change -> {
              // Counted in the same step as the removal: of nodes vacating it at once, one finds it empty.
              if (change.member() != null && change.entries() == 0) {
                webhook(app, new JsonObject().put("name", "channel_vacated").put("channel", name));
              }
            })
            .onFailure(e -> log.debug("occupancy of {} not released: {}", key, e.toString()));
      }
    });
  }

  /**
   * Native clients' publishes on a public channel's twin ({@code pusher.{app}.{name}}) also reach the
   * channel's Pusher subscribers, as event {@code message} whose data is the native data as JSON. The
   * hook runs before the native publish: when the Pusher side cannot be reached the publish fails
   * ({@code unavailable}), so nothing reaches one side only because the broker was down.
   */
  public void installBridge(NodeHooks hooks) {
    hooks.onMessageReceived(message -> {
      String[] twin = PusherChannel.fromNativeTwin(message.channel());
      PusherApp app = twin == null ? null : byId.get(twin[0]);
      PusherChannel channel = app == null ? null : PusherChannel.parse(twin[1]);
      if (channel == null || channel.kind() != PusherChannel.Kind.PUBLIC) {
        return Future.succeededFuture();
      }
      String data = io.vertx.core.json.Json.encode(message.data());
      return Contexts.call(node.vertx(), context, () -> {
        return node.outbound().emit(channel.internal(app.id()), PusherFrames.event(channel.name(), "message", data, null));
      });
    });
  }

  public void close() {
    webhooks.close();
  }
}
