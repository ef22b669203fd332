package chatcluster.node.broker;

import chatcluster.node.cluster.RedisNodeRegistry;
import chatcluster.node.history.RedisHistoryStore;
import chatcluster.node.redis.RedisClusterMap;
import chatcluster.node.redis.RedisEndpoint;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisScripts;
import chatcluster.node.redis.RedisShards;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.Ids;
import chatcluster.node.history.HistoryPage;
import chatcluster.node.history.StreamPosition;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of a clustered node: Redis pub/sub between nodes, Redis streams for history.
 *
 * <p>The node holds one Redis subscription per channel that has local subscribers (the channel
 * registry counts them), never one per client, so a node receives only its clients' channels.
 * Messages reach this node's own subscribers through Redis as well: publish and fan-out are one Lua
 * step, so every node, this one included, sees a channel's messages in offset order.
 *
 * <p>When the subscriber connection was lost and comes back, every channel is subscribed again and,
 * for persistent channels, what was published meanwhile is read from history and delivered before
 * newer live messages. While Redis is unreachable, publishes reach this node's subscribers only,
 * without an offset.
 */
public final class RedisBroker implements Broker {
  private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
  /** Most messages read back per channel when filling a gap after a reconnect. */
  private static final int GAP_FILL_LIMIT = 10_000;

  private final RedisShards shards;
  private final RedisKeys keys;
  private final String nodeId;
  private final Function<String, ChannelOptions> options;
  private final NodeMetrics metrics;
  private final RedisHistoryStore history;
  private final RedisNodeRegistry registry;
  private java.util.function.BiFunction<String, String, Future<Void>> presenceDeparted =
      (c, s) -> Future.failedFuture("no presence membership wired");
  private Handler<Delivery> handler = d -> {};
  private Function<Direct, Future<Integer>> directHandler = d -> Future.succeededFuture(0);
  private Function<DeviceCommand, Future<Integer>> deviceHandler = d -> Future.succeededFuture(0);
  private Function<Buffer, Future<Buffer>> queryHandler = q -> Future.failedFuture("no query handler");
  /**
   * Questions this node asked that wait for their answer, by question id; empty unless someone asks.
   * Answers arrive on the subscriber connection's context: concurrent, and completed on the asker's.
   */
  private final Map<String, io.vertx.core.Promise<Buffer>> asked = new java.util.concurrent.ConcurrentHashMap<>();
  private final Vertx vertx;
  /** Where the query handler was registered (the node's context): questions are answered there. */
  private io.vertx.core.Context queryContext;
  /** Per subscribed channel: the last offset delivered here (or its position when subscribed) and its epoch. */
  private final Map<String, StreamPosition> last = new HashMap<>();
  /**
   * Per subscribed channel: the last offset handed to the subscribers here. Nothing at or below it in
   * its epoch is handed over again (two subscriber connections overlap while one replaces the other).
   */
  private final Map<String, StreamPosition> delivered = new HashMap<>();
  /** Channels being gap-filled: live deliveries wait here meanwhile. */
  private final Map<String, List<Delivery>> filling = new HashMap<>();

  public RedisBroker(Vertx vertx, List<RedisEndpoint> endpoints, RedisKeys keys, String nodeId,
                     Function<String, ChannelOptions> options, NodeMetrics metrics) {
    this(vertx, endpoints, keys, nodeId, options, metrics, RedisNodeRegistry.DEFAULT_DEAD_AFTER);
  }

  /** @param deadAfter how long a node may be silent in Redis before it is taken for dead */
  public RedisBroker(Vertx vertx, List<RedisEndpoint> endpoints, RedisKeys keys, String nodeId,
                     Function<String, ChannelOptions> options, NodeMetrics metrics, java.time.Duration deadAfter) {
    this.vertx = vertx;
    if (endpoints.get(0).clusterMember()) {
      this.shards = new RedisShards(keys, new RedisClusterMap(vertx, endpoints, this::link));
    } else {
      this.shards = new RedisShards(endpoints.stream().map(this::link).toList());
    }
    this.keys = keys;
    this.nodeId = nodeId;
    this.options = options;
    this.metrics = metrics;
    this.history = new RedisHistoryStore(shards, keys, metrics);
    this.registry = new RedisNodeRegistry(vertx, shards, keys, nodeId, (c, s) -> presenceDeparted.apply(c, s),
        deadAfter);
  }

  /** A link whose pub/sub messages come to this broker and whose reconnects have its gaps checked. */
  private RedisLink link(RedisEndpoint endpoint) {
    RedisLink[] self = new RedisLink[1];
    self[0] = new RedisLink(vertx, endpoint, this::handleMessage, v -> fillGaps(self[0]));
    return self[0];
  }

  public RedisShards shards() {
    return shards;
  }

  public RedisHistoryStore history() {
    return history;
  }

  public RedisNodeRegistry registry() {
    return registry;
  }

  @Override
  public Future<Void> start() {
    // The broadcast is per subject too: on a Redis Cluster it lives on one shard (sharded pub/sub),
    // rather than on every server through the cluster bus.
    return shards.start().compose(v -> shards.forNodeKey(keys.broadcast()).subscribe(keys.broadcast(), true))
        .compose(v -> shards.forNodeKey(keys.nodeChannel(nodeId)).subscribe(keys.nodeChannel(nodeId), true))
        .onSuccess(v -> registry.start());
  }

  @Override
  public void onDelivery(Handler<Delivery> handler) {
    this.handler = handler;
  }

  @Override
  public void onDirect(Function<Direct, Future<Integer>> handler) {
    this.directHandler = handler;
  }

  @Override
  public void onDeviceCommand(Function<DeviceCommand, Future<Integer>> handler) {
    this.deviceHandler = handler;
  }

  @Override
  public void onQuery(Function<Buffer, Future<Buffer>> handler) {
    this.queryHandler = handler;
    this.queryContext = vertx.getOrCreateContext();
  }

  @Override
  public boolean healthy() {
    return shards.healthy();
  }

  // ------------------------------------------------------------------ outgoing

  @Override
  public Future<Long> publish(String channel, Buffer messagePrefix, ChannelOptions opts) {
    RedisLink link = shards.forChannel(channel);
    if (!link.healthy()) {
      return refused("publish on '" + channel + "'");
    }
    Request eval = RedisScripts.call(RedisScripts.PUBLISH).arg(3)
        .arg(keys.meta(channel)).arg(keys.stream(channel)).arg(keys.channel(channel))
        .arg(messagePrefix).arg(nodeId).arg(opts.persistent() ? 1 : 0).arg(opts.historySize())
        .arg(opts.historyTtl().toSeconds()).arg(RedisHistoryStore.metaTtl(opts)).arg(Ids.random(8))
        .arg(link.publishCommand(true).toString().toUpperCase(java.util.Locale.ROOT));
    return link.send(eval).transform(ar -> {
      if (ar.failed()) {
        log.debug("publish on '{}' failed: {}", channel, ar.cause().toString());
        return refused("publish on '" + channel + "'");
      }
      metrics.redisMessagesOut.increment();
      return Future.succeededFuture(ar.result().get(0).toLong());
    });
  }

  @Override
  public Future<Long> publishOnce(String channel, Buffer messagePrefix, ChannelOptions opts, String key,
                                  java.time.Duration keyTtl) {
    RedisLink link = shards.forChannel(channel);
    if (!link.healthy()) {
      return refused("publish on '" + channel + "'");
    }
    Request eval = RedisScripts.call(RedisScripts.PUBLISH_ONCE).arg(4)
        .arg(keys.meta(channel)).arg(keys.stream(channel)).arg(keys.channel(channel)).arg(keys.publishKey(channel, key))
        .arg(messagePrefix).arg(nodeId).arg(opts.persistent() ? 1 : 0).arg(opts.historySize())
        .arg(opts.historyTtl().toSeconds()).arg(RedisHistoryStore.metaTtl(opts)).arg(Ids.random(8))
        .arg(link.publishCommand(true).toString().toUpperCase(java.util.Locale.ROOT))
        .arg(Math.max(1, keyTtl.toSeconds()));
    return link.send(eval).transform(ar -> {
      if (ar.failed()) {
        log.debug("publish on '{}' failed: {}", channel, ar.cause().toString());
        return refused("publish on '" + channel + "'");
      }
      if (ar.result().get(2).toInteger() == 0) {
        metrics.redisMessagesOut.increment();
      }
      return Future.succeededFuture(ar.result().get(0).toLong());
    });
  }

  /**
   * Fails loud: what cannot go through Redis is neither delivered here only nor acknowledged, so no
   * subscriber elsewhere misses something the sender believes was sent.
   */
  private <T> Future<T> refused(String what) {
    metrics.publishesRefused.increment();
    return Future.failedFuture(new ChatException(ErrorCode.UNAVAILABLE, what + ": Redis is unreachable, try again"));
  }

  @Override
  public Future<Void> emit(String channel, Buffer frame) {
    return publishRaw(shards.forChannel(channel), keys.channel(channel), true,
        NodeMessageCodec.encode(new NodeMessage.ChannelFrame(nodeId, Delivery.NO_OFFSET, null, frame)))
        .recover(e -> refused("event on '" + channel + "'"));
  }

  @Override
  public Future<Void> broadcast(Buffer frame) {
    return publishRaw(shards.forNodeKey(keys.broadcast()), keys.broadcast(), true,
        NodeMessageCodec.encode(new NodeMessage.Everyone(nodeId, frame)))
        .recover(e -> refused("broadcast"));
  }

  /** @param perSubject a chat channel's or a node's pub/sub channel (sharded on a Redis Cluster), not the broadcast */
  private Future<Void> publishRaw(RedisLink link, String pubsub, boolean perSubject, Buffer payload) {
    if (!link.healthy()) {
      return Future.failedFuture("redis unreachable");
    }
    metrics.redisMessagesOut.increment();
    return link.send(Request.cmd(link.publishCommand(perSubject)).arg(pubsub).arg(payload)).mapEmpty();
  }

  /**
   * What takes a dead node's presence entry (channel, session) out when the registry cleans up after
   * it: the node's presence membership, which announces the leave. Set while the node is wired.
   */
  public void onPresenceDeparted(java.util.function.BiFunction<String, String, Future<Void>> handler) {
    this.presenceDeparted = handler;
  }

  // ------------------------------------------------------------------ direct sends and routes

  @Override
  public Future<Integer> sendDirect(Direct direct) {
    String subject = direct.user() != null ? "u:" + direct.user() : "d:" + direct.device();
    String routeKey = direct.user() != null ? keys.userRoute(direct.user()) : keys.deviceRoute(direct.device());
    NodeMessage message = direct.user() != null ? new NodeMessage.ToUser(nodeId, direct.user(), direct.frame())
        : new NodeMessage.ToDevice(nodeId, direct.device(), direct.frame());
    return directHandler.apply(direct).compose(local -> routeToOthers(subject, routeKey, message)
        .map(remote -> local + remote));
  }

  @Override
  public Future<Integer> sendDeviceCommand(DeviceCommand command) {
    NodeMessage order = new NodeMessage.DeviceOrder(nodeId, command.device(), command.subscribe(), command.channel());
    return deviceHandler.apply(command).compose(local -> routeToOthers("d:" + command.device(),
        keys.deviceRoute(command.device()), order).map(remote -> local + remote));
  }

  /**
   * Publishes {@code message} to the channel of every other node that holds connections of the
   * route's user or device; the Future holds how many connections those nodes registered.
   */
  private Future<Integer> routeToOthers(String subject, String routeKey, NodeMessage message) {
    Buffer payload = NodeMessageCodec.encode(message);
    RedisLink routes = shards.forRoute(subject);
    if (!routes.healthy()) {
      return refused("routing to other nodes");
    }
    return routes.send(Request.cmd(Command.HGETALL).arg(routeKey)).map(r -> {
      int remote = 0;
      for (String node : r.getKeys()) {
        long count = r.get(node).toLong();
        if (!node.equals(nodeId) && count > 0) {
          remote += (int) count;
          publishRaw(shards.forNodeKey(keys.nodeChannel(node)), keys.nodeChannel(node), true, payload)
              .onFailure(e -> log.debug("routing to node {} failed: {}", node, e.toString()));
        }
      }
      return remote;
    }).recover(e -> refused("routing to other nodes"));
  }

  // ------------------------------------------------------------------ questions to one node

  @Override
  public Future<Buffer> askNode(String node, Buffer question, java.time.Duration timeout) {
    if (node.equals(nodeId)) {
      return queryHandler.apply(question);
    }
    if (!shards.forNodeKey(keys.nodeChannel(node)).healthy()) {
      return Future.failedFuture(new ChatException(ErrorCode.UNAVAILABLE, "Redis is unreachable, try again"));
    }
    String id = Ids.random(12);
    io.vertx.core.Promise<Buffer> answer = io.vertx.core.Promise.promise();
    asked.put(id, answer);
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      if (asked.remove(id) != null) {
        answer.tryFail(new ChatException(ErrorCode.TIMEOUT, "node '" + node + "' did not answer within "
            + timeout.toMillis() + " ms"));
      }
    });
    publishRaw(shards.forNodeKey(keys.nodeChannel(node)), keys.nodeChannel(node), true,
        NodeMessageCodec.encode(new NodeMessage.Query(nodeId, id, question))).onFailure(e -> {
          if (asked.remove(id) != null) {
            answer.tryFail(new ChatException(ErrorCode.UNAVAILABLE, "node '" + node + "' cannot be reached"));
          }
        });
    return chatcluster.node.runtime.Contexts.onCaller(answer.future()).onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void answer(NodeMessage.Query q) {
    chatcluster.node.runtime.Contexts.call(vertx, queryContext, () -> queryHandler.apply(q.body())).recover(e -> {
      log.debug("question from {} not answered: {}", q.origin(), e.toString());
      return Future.succeededFuture(Buffer.buffer());
    }).onSuccess(body -> publishRaw(shards.forNodeKey(keys.nodeChannel(q.origin())), keys.nodeChannel(q.origin()), true,
        NodeMessageCodec.encode(new NodeMessage.Answer(nodeId, q.id(), body))));
  }

  private void answered(NodeMessage.Answer a) {
    io.vertx.core.Promise<Buffer> waiting = asked.remove(a.id());
    if (waiting == null) {
      return; // timed out already
    }
    if (a.body().length() == 0) {
      waiting.tryFail(new ChatException(ErrorCode.INTERNAL, "node '" + a.origin() + "' could not answer"));
    } else {
      waiting.tryComplete(a.body());
    }
  }

  @Override
  public Future<Void> connectionOpened(String user, String device) {
    return route(user, device, 1);
  }

  @Override
  public Future<Void> connectionClosed(String user, String device) {
    return route(user, device, -1);
  }

  /**
   * Counts a connection's user and device routes up or down. Where the node's index lives beside the
   * routes (independent servers: {@link RedisShards#indexFor}), index and counts go in one script, and
   * both subjects in one when they share a server (always with one server): one round trip per connect
   * instead of four commands. On a Redis Cluster the keys have slots of their own, so each is a
   * command of its own to its master.
   */
  private Future<Void> route(String user, String device, int delta) {
    String u = "u:" + user;
    String d = "d:" + device;
    RedisLink userLink = shards.forRoute(u);
    if (shards.cluster()) {
      return Future.all(routeOne(u, keys.userRoute(user), delta), routeOne(d, keys.deviceRoute(device), delta))
          .mapEmpty();
    }
    RedisLink deviceLink = shards.forRoute(d);
    if (userLink == deviceLink) {
      return userLink.send(RedisScripts.call(RedisScripts.ROUTES).arg(3)
          .arg(keys.userRoute(user)).arg(keys.deviceRoute(device)).arg(keys.nodeIndex(nodeId))
          .arg(nodeId).arg(delta).arg(indexEntry(u)).arg(indexEntry(d))).mapEmpty();
    }
    return Future.all(routeIndexed(userLink, u, keys.userRoute(user), delta),
        routeIndexed(deviceLink, d, keys.deviceRoute(device), delta)).mapEmpty();
  }

  /** One subject's route and its index entry, on the server that holds both. */
  private Future<Response> routeIndexed(RedisLink link, String subject, String key, int delta) {
    return link.send(RedisScripts.call(RedisScripts.ROUTE_INDEXED).arg(2).arg(key)
        .arg(keys.nodeIndex(nodeId)).arg(nodeId).arg(delta).arg(indexEntry(subject)));
  }

  /** A route's entry in the node's index: {@code u|<user>} or {@code d|<device>}. */
  private static String indexEntry(String subject) {
    return subject.charAt(0) + "|" + subject.substring(2);
  }

  /**
   * On a Redis Cluster: indexes the route first (what a dead node leaves is found from its index),
   * then counts it, each key on its own master.
   */
  private Future<Response> routeOne(String subject, String key, int delta) {
    RedisLink link = shards.forRoute(subject);
    if (delta > 0) {
      shards.indexFor(link, nodeId).send(Request.cmd(Command.SADD).arg(keys.nodeIndex(nodeId)).arg(indexEntry(subject)));
    }
    return link.send(RedisScripts.call(RedisScripts.ROUTE).arg(1).arg(key).arg(nodeId).arg(delta));
  }

  // ------------------------------------------------------------------ subscriptions

  @Override
  public Future<Void> subscribe(String channel) {
    RedisLink link = shards.forChannel(channel);
    List<Delivery> early = new ArrayList<>();
    link.execute(() -> {
      if (!last.containsKey(channel) && !filling.containsKey(channel)) {
        filling.put(channel, early); // what arrives before the position is known waits for it
      }
    });
    return link.subscribe(keys.channel(channel), true).onComplete(ar -> rememberPosition(link, channel, early));
  }

  /**
   * So that a gap is noticed even on a channel that was silent until then, and from the first live
   * message on: the channel's position, read once Redis has the subscription, is where its stream
   * stood. The messages that came meanwhile (published after the subscription, so the subscriber's)
   * waited for it: they follow, a gap before the first of them filled from history. The read's answer
   * and the messages come on different connections, so either may be handled first. The broker's
   * channel state is the link's: read and written on its context only.
   */
  private void rememberPosition(RedisLink link, String channel, List<Delivery> early) {
    link.execute(() -> {
      if (filling.get(channel) != early) {
        return; // known already, or left meanwhile
      }
      history.position(channel).onComplete(ar -> link.execute(() -> {
        if (filling.get(channel) != early) {
          return;
        }
        filling.remove(channel);
        if (ar.succeeded()) {
          last.putIfAbsent(channel, ar.result());
        }
        early.forEach(this::deliverChannel);
      }));
    });
  }

  @Override
  public Future<Void> unsubscribe(String channel) {
    RedisLink link = shards.forChannel(channel);
    link.execute(() -> {
      last.remove(channel);
      delivered.remove(channel);
      filling.remove(channel);
    });
    return link.unsubscribe(keys.channel(channel));
  }

  @Override
  public Future<Map<String, Long>> activeChannels() {
    Map<String, Long> result = new java.util.TreeMap<>();
    Future<Void> all = Future.succeededFuture();
    for (RedisLink link : shards.all()) {
      // A master of a Redis Cluster lists its sharded channels apart from the classic ones.
      boolean sharded = shards.cluster();
      all = all.compose(v -> link.send(Request.cmd(Command.PUBSUB).arg(sharded ? "SHARDCHANNELS" : "CHANNELS")
              .arg(keys.channelPattern()))
          .compose(names -> {
            if (names.size() == 0) {
              return Future.succeededFuture();
            }
            Request numsub = Request.cmd(Command.PUBSUB).arg(sharded ? "SHARDNUMSUB" : "NUMSUB");
            names.forEach(n -> numsub.arg(n.toString()));
            return link.send(numsub).map(counts -> {
              for (int i = 0; i + 1 < counts.size(); i += 2) {
                String channel = keys.channelOf(counts.get(i).toString());
                if (channel != null) {
                  result.put(channel, counts.get(i + 1).toLong());
                }
              }
              return (Void) null;
            });
          }));
    }
    return all.map(v -> result);
  }

  // ------------------------------------------------------------------ incoming

  private void handleMessage(Response push) {
    if (!RedisLink.isMessage(push)) {
      return;
    }
    String pubsub = push.get(1).toString();
    String channelName = keys.channelOf(pubsub);
    NodeMessageCodec.Scope scope = channelName != null ? NodeMessageCodec.Scope.CHANNEL
        : pubsub.equals(keys.broadcast()) ? NodeMessageCodec.Scope.EVERYONE
        : pubsub.equals(keys.nodeChannel(nodeId)) ? NodeMessageCodec.Scope.NODE : null;
    // A heap copy, once per message per node: the bytes are handed to other event loops and written
    // from there after this handler has returned.
    NodeMessage message = scope == null ? null
        : NodeMessageCodec.decode(Buffer.buffer(push.get(2).toBuffer().getBytes()), scope);
    if (message == null) {
      log.warn("ignoring a malformed message on {}", pubsub);
      return;
    }
    metrics.redisMessagesIn.increment();
    if (message instanceof NodeMessage.ChannelFrame c) {
      String channel = channelName;
      deliverChannel(c.offset() >= 0 ? new Delivery(channel, c.offset(), c.epoch(), c.frame())
          : Delivery.unordered(channel, c.frame()));
    } else if (message instanceof NodeMessage.Everyone e) {
      handler.handle(Delivery.unordered(null, e.frame()));
    } else if (message instanceof NodeMessage.ToUser u) {
      directHandler.apply(new Direct(u.user(), null, u.frame()));
    } else if (message instanceof NodeMessage.ToDevice d) {
      directHandler.apply(new Direct(null, d.device(), d.frame()));
    } else if (message instanceof NodeMessage.DeviceOrder o) {
      deviceHandler.apply(new DeviceCommand(o.device(), o.subscribe(), o.channel()));
    } else if (message instanceof NodeMessage.Query q) {
      answer(q);
    } else if (message instanceof NodeMessage.Answer a) {
      answered(a);
    }
  }

  private void deliverChannel(Delivery d) {
    List<Delivery> waiting = filling.get(d.channel());
    if (waiting != null) {
      waiting.add(d);
      return;
    }
    if (d.offset() >= 0 && !d.reset()) {
      StreamPosition handed = delivered.get(d.channel());
      if (handed != null && handed.epoch().equals(d.epoch()) && d.offset() <= handed.offset()) {
        log.debug("channel '{}': offset {} already delivered (up to {}), dropped", d.channel(), d.offset(),
            handed.offset());
        return;
      }
    }
    if (d.offset() >= 0) {
      StreamPosition seen = last.get(d.channel());
      if (seen != null && seen.epoch().equals(d.epoch()) && d.offset() > seen.offset() + 1) {
        // Messages between went by without reaching this node (a shard's failover, a subscription
        // restored without a reconnect being seen): history has them, and they go first.
        metrics.liveGaps.increment();
        log.info("channel '{}': live message {} after {}: filling the gap from history", d.channel(), d.offset(),
            seen.offset());
        List<Delivery> behindTheGap = new ArrayList<>();
        behindTheGap.add(d);
        fill(d.channel(), seen, behindTheGap);
        return;
      }
      StreamPosition now = new StreamPosition(d.offset(), d.epoch());
      last.put(d.channel(), now);
      if (!d.reset()) {
        delivered.put(d.channel(), now);
      }
    }
    handler.handle(d);
  }

  /**
   * After a reconnect, for every channel this node follows: deliver from history what was published
   * while the node was away (persistent channels), and where that cannot be done exactly (a new
   * epoch, trimmed history, or a channel that keeps none) tell the channel's subscribers that their
   * position is lost with a {@code reset} frame carrying where the stream continues.
   */
  private void fillGaps(RedisLink link) {
    for (Map.Entry<String, StreamPosition> entry : new ArrayList<>(last.entrySet())) {
      String channel = entry.getKey();
      StreamPosition seen = entry.getValue();
      if (shards.forChannel(channel) != link || filling.containsKey(channel)) {
        continue;
      }
      fill(channel, seen, new ArrayList<>());
    }
  }

  /**
   * Reads what a channel's history holds after {@code seen} and delivers it, preceded by a reset where
   * that is not exact; live deliveries of the channel wait in {@code waiting} meanwhile and follow,
   * those that history already gave dropped. What a read cannot fill is a reset, never the same read
   * again (a failing or short read would otherwise start the fill over and over); only a gap beyond
   * what the read saw (messages lost while it was under way) is read for.
   */
  private void fill(String channel, StreamPosition seen, List<Delivery> waiting) {
    ChannelOptions opts;
    try {
      opts = options.apply(channel);
    } catch (RuntimeException e) {
      opts = ChannelOptions.DEFAULTS;
    }
    filling.put(channel, waiting);
    Future<HistoryPage> read = opts.persistent()
        ? history.catchUp(channel, seen.offset(), GAP_FILL_LIMIT, opts)
        : history.position(channel).map(p -> new HistoryPage(p, List.of(), p.offset() == seen.offset()));
    read.onComplete(ar -> { // on the link's context: the reads complete on their caller's
      if (filling.get(channel) != waiting) {
        return; // unsubscribed meanwhile
      }
      filling.remove(channel);
      StreamPosition readAt = null;
      if (ar.failed()) {
        log.warn("channel '{}': gap after {}@{} not checked: {}", channel, seen.offset(), seen.epoch(),
            ar.cause().toString());
      } else {
        readAt = ar.result().position();
        catchUp(channel, seen, ar.result(), firstOrdered(waiting));
      }
      handOver(channel, waiting, readAt);
    });
  }

  private static Delivery firstOrdered(List<Delivery> waiting) {
    for (Delivery d : waiting) {
      if (d.offset() >= 0) {
        return d;
      }
    }
    return null;
  }

  /**
   * Delivers what history holds after {@code seen}, preceded by a reset when that is not all of it.
   * A reset continues right before {@code next} (the first live message that waited) when history
   * does not reach it, so that message is still delivered.
   */
  private void catchUp(String channel, StreamPosition seen, HistoryPage page, Delivery next) {
    StreamPosition now = page.position();
    boolean sameEpoch = now.epoch().equals(seen.epoch());
    List<Delivery> missed = sameEpoch ? page.entries() : List.of();
    boolean exact = sameEpoch && page.complete()
        && (missed.isEmpty() ? now.offset() == seen.offset() : missed.get(missed.size() - 1).offset() == now.offset());
    if (!exact) {
      long continuesAfter = missed.isEmpty() ? now.offset() : missed.get(0).offset() - 1;
      if (missed.isEmpty() && next != null && next.epoch().equals(now.epoch())) {
        continuesAfter = Math.min(continuesAfter, next.offset() - 1);
      }
      reset(channel, continuesAfter, now.epoch(), "position " + seen.offset() + "@" + seen.epoch()
          + " lost (history now " + now.offset() + "@" + now.epoch() + ")", sameEpoch && now.offset() < seen.offset());
    }
    for (Delivery d : missed) {
      metrics.redisGapFilled.increment();
      deliverChannel(d);
    }
    if (!missed.isEmpty()) {
      log.info("channel '{}': {} messages recovered from history", channel, missed.size());
    }
  }

  /**
   * Hands over the live messages that waited for a fill, dropping those history gave already. A gap
   * before one of them that opened after the read ({@code read}: where the stream stood then) is
   * filled by a read of its own, the rest waiting again; one the read could not fill (it failed, or
   * history no longer holds it) is told to the subscribers with a reset right before that message.
   */
  private void handOver(String channel, List<Delivery> waiting, StreamPosition read) {
    for (int i = 0; i < waiting.size(); i++) {
      Delivery d = waiting.get(i);
      StreamPosition newest = last.get(channel);
      if (d.offset() >= 0 && newest != null && d.epoch().equals(newest.epoch())) {
        if (d.offset() <= newest.offset()) {
          continue;
        }
        if (d.offset() > newest.offset() + 1 && read != null && read.epoch().equals(d.epoch())
            && newest.offset() >= read.offset()) {
          metrics.liveGaps.increment();
          fill(channel, newest, new ArrayList<>(waiting.subList(i, waiting.size())));
          return;
        }
        if (d.offset() > newest.offset() + 1) {
          reset(channel, d.offset() - 1, d.epoch(), "messages " + (newest.offset() + 1) + ".." + (d.offset() - 1)
              + " could not be read from history", false);
        }
      }
      deliverChannel(d);
    }
  }

  /**
   * Tells the channel's subscribers here that their position is lost and where the stream continues;
   * {@code rewind}: history ends before what was delivered here (Redis discarded it, a failover's
   * lost writes), so subscribers past that point go back to it and take the offsets again.
   */
  private void reset(String channel, long continuesAfter, String epoch, String why, boolean rewind) {
    metrics.resets.increment();
    log.warn("channel '{}': {}: subscribers get a reset to {}@{}", channel, why, continuesAfter, epoch);
    StreamPosition resetTo = new StreamPosition(continuesAfter, epoch);
    last.put(channel, resetTo);
    delivered.put(channel, resetTo);
    Buffer frame = FrameCodec.reset(channel, epoch, continuesAfter);
    handler.handle(rewind ? Delivery.rewind(channel, continuesAfter, epoch, frame)
        : Delivery.reset(channel, continuesAfter, epoch, frame));
  }

  @Override
  public Future<Void> close() {
    return registry.stop().eventually(shards::close);
  }
}
