package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.channel.Delivery;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Pusher connections and the Pusher HTTP API do to channels, on the node's ordinary path: the
 * loop's {@link LoopChannels} (so the node keeps one broker subscription per channel, and the hub
 * hands each frame's bytes once to each loop), the broker, the presence store and the cluster's
 * counters. A Pusher event is encoded once, where it is published; every node writes those bytes.
 *
 * <ul>
 *   <li>Events are broker {@code emit}s on the channel's internal name; on {@code cache-} channels
 *       they are {@code publish}es into a one-entry history (30 minutes), read back on subscribe.</li>
 *   <li>Presence: one presence-store entry per connection (member {@code user} = user_id,
 *       {@code device} = {@code socket_id + " " + user_info JSON}), through the node's presence
 *       membership ({@link chatcluster.node.core.Presence}): {@code member_added} when a user's first
 *       connection joins, {@code member_removed} when its last leaves, on any node or when a node
 *       dies, rendered with their webhooks by {@link PusherPresence}.</li>
 *   <li>Publishes that cannot reach the cluster fail with {@code unavailable}: nobody got them.</li>
 * </ul>
 *
 * <p>Threading: one instance per event loop, called on that loop; Futures complete there.
 */
final class PusherService {
  private static final Logger log = LoggerFactory.getLogger(PusherService.class);
  static final ChannelOptions CACHE = ChannelOptions.builder().persistent(true).historySize(1)
      .historyTtl(Duration.ofMinutes(30)).build();

  private final NodeServices loop;
  private final LoopChannels channels;
  private final PusherNode node;

  PusherService(LoopServices services, PusherNode node) {
    this.loop = services.node();
    this.channels = services.channels();
    this.node = node;
  }

  NodeServices services() {
    return loop;
  }

  PusherNode node() {
    return node;
  }

  // ------------------------------------------------------------------ events

  /**
   * Publishes an event on a channel, cluster-wide, for everyone subscribed but {@code exceptSocket}.
   * A public channel's native twin gets it too, as a native {@code event}.
   */
  Future<Void> publish(PusherApp app, PusherChannel channel, String event, Object data, String exceptSocket,
                       String userId) {
    String internal = channel.internal(app.id());
    Future<Void> sent;
    if (channel.cache()) {
      Buffer prefix = PusherFrames.eventPrefix(channel.name(), event, data);
      sent = loop.outbound().publishEncoded(internal, PusherFrames.excluding(exceptSocket, prefix), CACHE).mapEmpty();
    } else {
      sent = loop.outbound().emitMessage(internal, PusherFrames.excluding(exceptSocket,
          PusherFrames.event(channel.name(), event, data, userId)));
    }
    String twin = channel.nativeTwin(app.id());
    if (twin == null) {
      return sent;
    }
    return sent.compose(v -> {
      return loop.outbound().emit(twin, FrameCodec.event(event, twin, nativeData(data), Sender.SERVER));
    });
  }

  /**
   * A client event: published for the channel's other subscribers, then the {@code client_event}
   * webhook ({@code encoded} is the data as JSON, for data that is not a string already).
   */
  Future<Void> clientEvent(PusherApp app, PusherChannel channel, String event, Object data, String encoded,
                           String socketId, String userId) {
    return publish(app, channel, event, data, socketId, userId).onSuccess(v -> {
      JsonObject hook = new JsonObject().put("name", "client_event").put("channel", channel.name())
          .put("event", event).put("data", data instanceof String s ? s : encoded).put("socket_id", socketId);
      if (userId != null) {
        hook.put("user_id", userId);
      }
      node.webhook(app, hook);
    });
  }

  /** Pusher data is usually a JSON document in a string: natives get the document. */
  private static Object nativeData(Object data) {
    if (data instanceof String s) {
      try {
        return io.vertx.core.json.Json.decodeValue(s);
      } catch (DecodeException e) {
        return s;
      }
    }
    return data;
  }

  /** The last event of a cache channel, as its subscribers get it, or null when there is none. */
  Future<Buffer> lastCached(PusherApp app, PusherChannel channel) {
    return loop.history().read(channel.internal(app.id()), null, 1, CACHE).map(page -> {
      List<Delivery> entries = page.entries();
      return entries.isEmpty() ? null : entries.get(entries.size() - 1).frame();
    });
  }

  /** Closes every connection of a signed-in user, on whatever node. */
  Future<Void> terminate(PusherApp app, String user) {
    return loop.outbound().emit(PusherChannel.userControl(app.id(), user),
        Buffer.buffer("{\"event\":\"pusher_internal:terminate\"}"));
  }

  // ------------------------------------------------------------------ subscriptions

  /**
   * Joins {@code subscriber} to a channel: the node's fan-out, the subscription count, occupancy.
   * The Future completes once the node's broker subscription and its occupancy entry are in place.
   */
  Future<Void> join(PusherApp app, PusherChannel channel, LoopChannels.Subscriber subscriber) {
    String counter = PusherChannel.subscriptionCounter(app.id(), channel.name());
    return channels.add(channel.internal(app.id()), subscriber)
        .compose(v -> loop.cluster().tryAcquire(counter, Long.MAX_VALUE))
        .compose(v -> {
          node.subscriptionCountChanged(app, channel);
          return node.channelJoined(app, channel.name());
        });
  }

  /** Undoes {@link #join}. */
  void leave(PusherApp app, PusherChannel channel, LoopChannels.Subscriber subscriber) {
    channels.remove(channel.internal(app.id()), subscriber);
    loop.cluster().release(PusherChannel.subscriptionCounter(app.id(), channel.name()))
        .onFailure(e -> log.debug("subscription count of {} not released: {}", channel.name(), e.toString()))
        .onComplete(x -> node.subscriptionCountChanged(app, channel));
    node.channelLeft(app, channel.name());
  }

  /** Subscribes a loop subscriber to a user's control channel (terminate_connections). */
  Future<Void> watchUser(PusherApp app, String user, LoopChannels.Subscriber subscriber) {
    return channels.add(PusherChannel.userControl(app.id(), user), subscriber);
  }

  void unwatchUser(PusherApp app, String user, LoopChannels.Subscriber subscriber) {
    channels.remove(PusherChannel.userControl(app.id(), user), subscriber);
  }

  // ------------------------------------------------------------------ watchlist online status

  /** Enters a signed-in connection into its user's online set; {@code online} to its watchers when first. */
  Future<Void> enterOnline(PusherApp app, String socketId, String user) {
    return loop.presence().join(PusherChannel.online(app.id(), user), socketId,
        new PresenceMember(user, socketId, loop.nodeId()));
  }

  /** Takes a connection out of its user's online set; {@code offline} to its watchers when it was the last. */
  void leaveOnline(PusherApp app, String socketId, String user) {
    loop.presence().leave(PusherChannel.online(app.id(), user), socketId)
        .onFailure(e -> log.debug("online status of {} not released: {}", user, e.toString()));
  }

  /** Whether a user has a signed-in connection anywhere in the cluster. */
  Future<Boolean> isOnline(PusherApp app, String user) {
    return loop.presence().members(PusherChannel.online(app.id(), user)).map(members -> !members.isEmpty());
  }

  /** Subscribes a loop subscriber to a user's online transitions. */
  Future<Void> watchOnline(PusherApp app, String user, LoopChannels.Subscriber subscriber) {
    return channels.add(PusherChannel.online(app.id(), user), subscriber);
  }

  void unwatchOnline(PusherApp app, String user, LoopChannels.Subscriber subscriber) {
    channels.remove(PusherChannel.online(app.id(), user), subscriber);
  }

  /** Takes one of the app's connection slots, cluster-wide; always granted when the app has no cap. */
  Future<Boolean> acquireConnection(PusherApp app) {
    return app.maxConnections() == 0 ? Future.succeededFuture(true)
        : loop.cluster().tryAcquire(connectionCounter(app), app.maxConnections());
  }

  /** Gives back a slot of {@link #acquireConnection}. */
  void releaseConnection(PusherApp app) {
    loop.cluster().release(connectionCounter(app));
  }

  private static String connectionCounter(PusherApp app) {
    return "pusher-conns/" + app.id();
  }

  // ------------------------------------------------------------------ presence

  /**
   * Enters a connection into a presence channel and answers the channel's presence data
   * ({@code {ids, hash, count}}); sends member_added (to everyone but the joiner) and its webhook when
   * this is the user's first connection in the channel.
   */
  Future<JsonObject> enterPresence(PusherApp app, PusherChannel channel, String socketId, String userId,
                                   Object userInfo) {
    String internal = channel.internal(app.id());
    String device = socketId + " " + io.vertx.core.json.Json.encode(userInfo);
    // The membership decides member_added atomically; the list answered to the joiner is read after.
    return loop.presence().join(internal, socketId, new PresenceMember(userId, device, loop.nodeId()))
        .compose(v -> loop.presence().members(internal))
        .map(PusherService::presenceData);
  }

  /** Takes a connection out of a presence channel; member_removed when it was the user's last. */
  void leavePresence(PusherApp app, PusherChannel channel, String socketId, String userId) {
    String internal = channel.internal(app.id());
    loop.presence().leave(internal, socketId)
        .onFailure(e -> log.debug("presence leave on {} not announced: {}", channel.name(), e.toString()));
  }

  /** The distinct user ids of a presence channel, in join order. */
  Future<List<String>> users(PusherApp app, PusherChannel channel) {
    return loop.presence().members(channel.internal(app.id()))
        .map(members -> members.stream().map(PresenceMember::user).distinct().toList());
  }

  /** Pusher's presence hash: one entry per user (its first connection's user_info). */
  static JsonObject presenceData(List<PresenceMember> members) {
    Map<String, Object> hash = new LinkedHashMap<>();
    for (PresenceMember m : members) {
      hash.putIfAbsent(m.user(), userInfo(m));
    }
    return new JsonObject().put("ids", new JsonArray(List.copyOf(hash.keySet())))
        .put("hash", new JsonObject(hash)).put("count", hash.size());
  }

  /** The user_info a Pusher presence member carries (after the socket id in its device field), or null. */
  static Object userInfo(PresenceMember m) {
    int space = m.device() == null ? -1 : m.device().indexOf(' ');
    if (space < 0) {
      return null;
    }
    try {
      return io.vertx.core.json.Json.decodeValue(m.device().substring(space + 1));
    } catch (DecodeException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ what the HTTP API reads

  /** Subscriptions to the channel over the cluster. */
  Future<Long> subscriptionCount(PusherApp app, String name) {
    return loop.cluster().count(PusherChannel.subscriptionCounter(app.id(), name));
  }

  /** The app's channels that have subscribers somewhere in the cluster, by name. */
  Future<Set<String>> occupiedChannels(PusherApp app) {
    return loop.broker().activeChannels().map(active -> {
      Set<String> names = new TreeSet<>();
      for (String internal : active.keySet()) {
        String name = PusherChannel.nameOf(app.id(), internal);
        if (name != null) {
          names.add(name);
        }
      }
      for (String internal : loop.hub().channels()) {
        String name = PusherChannel.nameOf(app.id(), internal);
        if (name != null) {
          names.add(name);
        }
      }
      return names;
    });
  }
}
