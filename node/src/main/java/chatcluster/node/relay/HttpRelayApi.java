package chatcluster.node.relay;

import chatcluster.cluster.NodeInfo;
import chatcluster.node.channel.ChannelName;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend HTTP API, behind {@code Authorization: Bearer <RELAY_API_KEY>} (compared in constant
 * time): {@code POST /api/relay} takes one action or an array, applied in order; {@code GET /api/nodes},
 * {@code /api/channels}, {@code /api/channels/{name}} and {@code /api/stats} describe the cluster.
 * Answers {@code 200 {"ok":true}} or {@code 4xx {"ok":false,"error":code,"message"}}.
 */
public final class HttpRelayApi {
  private static final Logger log = LoggerFactory.getLogger(HttpRelayApi.class);

  private final NodeServices node;
  private final RelayService relay;
  private final byte[] apiKey;
  private final int maxBody;

  public HttpRelayApi(NodeServices node, RelayService relay, String apiKey, int maxBody) {
    this.node = node;
    this.relay = relay;
    this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
    this.maxBody = maxBody;
  }

  public void mount(Router router) {
    router.route("/api/*").handler(this::authorize);
    router.post("/api/relay").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::relay);
    router.get("/api/nodes").handler(ctx -> respond(ctx, nodes()));
    router.get("/api/channels").handler(ctx -> respond(ctx, channels()));
    router.get("/api/channels/:name").handler(ctx -> respond(ctx, channel(ctx.pathParam("name"))));
    router.get("/api/stats").handler(ctx -> respond(ctx, Future.succeededFuture(stats())));
    router.route("/api/*").last().handler(ctx -> fail(ctx, new ChatException(ErrorCode.NOT_FOUND,
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path())));
    router.route("/api/*").failureHandler(ctx -> {
      if (ctx.statusCode() == 413) {
        fail(ctx, new ChatException(ErrorCode.TOO_LARGE, "request body larger than " + maxBody + " bytes"));
      } else {
        fail(ctx, ctx.failure() instanceof ChatException ce ? ce
            : new ChatException(ErrorCode.BAD_REQUEST, "bad request"));
      }
    });
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(apiKey, given)) {
      fail(ctx, new ChatException(ErrorCode.UNAUTHORIZED, header == null ? "missing API key" : "wrong API key"));
      return;
    }
    ctx.next();
  }

  private void relay(RoutingContext ctx) {
    Future<Void> result;
    try {
      result = relay.apply(RelayService.parse(ctx.body().buffer() == null
          ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer()));
    } catch (ChatException e) {
      result = Future.failedFuture(e);
    }
    respond(ctx, result.map(v -> new JsonObject().put("ok", true)));
  }

  private Future<JsonObject> nodes() {
    return node.cluster().nodes().map(list -> {
      JsonArray nodes = new JsonArray();
      for (NodeInfo n : list) {
        nodes.add(new JsonObject().put("id", n.id()).put("address", n.address()).put("connections", n.connections())
            .put("started", n.started()));
      }
      return new JsonObject().put("nodes", nodes);
    });
  }

  private Future<JsonObject> channels() {
    return node.broker().activeChannels().map(cluster -> {
      Map<String, JsonObject> byName = new TreeMap<>();
      cluster.forEach((name, nodes) -> byName.put(name, new JsonObject().put("name", name).put("nodes", nodes)
          .put("localSubscribers", node.hub().subscriberCount(name))));
      for (String name : node.hub().channels()) {
        byName.computeIfAbsent(name, n -> new JsonObject().put("name", n).put("nodes", 1)
            .put("localSubscribers", node.hub().subscriberCount(n)));
      }
      return new JsonObject().put("node", node.nodeId()).put("channels", new JsonArray(byName.values().stream().toList()));
    });
  }

  private Future<JsonObject> channel(String name) {
    if (!ChannelName.isValid(name)) {
      return Future.failedFuture(ChatException.badRequest("invalid channel name"));
    }
    ChannelOptions options;
    try {
      options = node.catalog().resolve(name);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    JsonObject out = new JsonObject().put("name", name).put("options", new JsonObject()
        .put("maxClients", options.maxClients()).put("persistent", options.persistent())
        .put("historySize", options.historySize()).put("historyTtl", options.historyTtl().toSeconds())
        .put("private", options.privateChannel()).put("auth", options.auth()).put("presence", options.presence())
        .put("clientPublish", options.clientPublish()))
        .put("localSubscribers", node.hub().subscriberCount(name));
    Future<JsonObject> f = node.broker().activeChannels().map(cluster -> out.put("nodes",
        cluster.getOrDefault(name, node.hub().subscriberCount(name) > 0 ? 1L : 0L)));
    f = f.compose(o -> node.history().position(name).map(p -> o.put("offset", p.offset()).put("epoch", p.epoch())));
    if (options.maxClients() > 0) {
      f = f.compose(o -> node.cluster().count(ChannelOptions.subscriberCounter(name)).map(n -> o.put("subscribers", n)));
    }
    if (options.presence()) {
      f = f.compose(o -> node.presence().members(name).map(members -> {
        JsonArray list = new JsonArray();
        for (PresenceMember m : members) {
          list.add(FrameCodec.presenceMember(m.user(), m.device(), m.node()));
        }
        return o.put("presence", new JsonObject().put("count", members.size()).put("members", list));
      }));
    }
    return f;
  }

  private JsonObject stats() {
    NodeMetrics m = node.metrics();
    return new JsonObject().put("node", node.nodeId()).put("connections", node.connections().count())
        .put("channels", node.hub().channels().size())
        .put("metrics", new JsonObject()
            .put("connectionsOpened", m.connectionsOpened.sum())
            .put("messagesPublished", m.messagesPublished.sum())
            .put("framesEncoded", m.framesEncoded.sum())
            .put("framesDelivered", m.framesDelivered.sum())
            .put("malformedFrames", m.malformedFrames.sum())
            .put("slowConsumersClosed", m.slowConsumersClosed.sum())
            .put("closesDropped", m.closesDropped.sum())
            .put("redisMessagesIn", m.redisMessagesIn.sum())
            .put("redisMessagesOut", m.redisMessagesOut.sum())
            .put("redisGapFilled", m.redisGapFilled.sum())
            .put("publishesRefused", m.publishesRefused.sum())
            .put("loopHandOvers", m.loopHandOvers.sum())
            .put("fanoutFlushes", m.fanoutFlushes.sum()));
  }

  private static void respond(RoutingContext ctx, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.json(ar.result());
      } else if (ar.cause() instanceof ChatException e) {
        fail(ctx, e);
      } else {
        log.error("API request {} failed", ctx.request().path(), ar.cause());
        fail(ctx, new ChatException(ErrorCode.INTERNAL, "internal error"));
      }
    });
  }

  static void fail(RoutingContext ctx, ChatException e) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status(e.code()));
    ctx.json(RelayService.errorBody(e));
  }

  static int status(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST, UNKNOWN_TYPE -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CHANNEL_FULL -> 409;
      case TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case UNAVAILABLE -> 503;
      case TIMEOUT, UPSTREAM_ERROR -> 502;
      default -> 500;
    };
  }
}
