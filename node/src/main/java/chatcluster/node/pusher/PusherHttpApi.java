package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pusher's HTTP API on the node's port, for the Pusher server SDKs: {@code POST /apps/{id}/events},
 * {@code POST /apps/{id}/batch_events}, {@code GET /apps/{id}/channels}, {@code GET
 * /apps/{id}/channels/{name}}, {@code GET /apps/{id}/channels/{name}/users} and {@code POST
 * /apps/{id}/users/{user}/terminate_connections}.
 *
 * <p>Every request is signed ({@link PusherSigning}): {@code auth_key} the app's key,
 * {@code auth_timestamp} within {@link #MAX_SKEW_SECONDS} of the node's clock, {@code body_md5} the
 * body's MD5 when there is a body. Answers: 401 for a wrong key, signature, MD5 or a stale timestamp,
 * 404 for an unknown app, 413 for a body over {@code relay.maxBody} or event data over
 * {@code maxMessageSize}, 400 for a malformed request, 503 when the cluster path is down (the event
 * reached nobody).
 *
 * <p>Threading: one instance per event loop, mounted on the loop's router; handlers run on the loop.
 */
public final class PusherHttpApi {
  private static final Logger log = LoggerFactory.getLogger(PusherHttpApi.class);
  static final long MAX_SKEW_SECONDS = 600;
  static final int MAX_CHANNELS = 100;
  static final int MAX_BATCH = 100;
  static final int MAX_EVENT_NAME = 200;
  private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");

  private final PusherNode node;
  private final PusherService service;
  private final int maxBody;
  private final int maxData;

  public PusherHttpApi(PusherLoop loop) {
    this.service = loop.service();
    this.node = service.node();
    this.maxBody = service.services().config().relayMaxBody();
    this.maxData = service.services().config().maxMessageSize();
  }

  public void mount(Router router) {
    router.route("/apps/:appId/*").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::authorize);
    router.post("/apps/:appId/events").handler(ctx -> respond(ctx, () -> events(ctx)));
    router.post("/apps/:appId/batch_events").handler(ctx -> respond(ctx, () -> batch(ctx)));
    router.get("/apps/:appId/channels").handler(ctx -> respond(ctx, () -> channels(ctx)));
    router.get("/apps/:appId/channels/:name").handler(ctx -> respond(ctx, () -> channel(ctx)));
    router.get("/apps/:appId/channels/:name/users").handler(ctx -> respond(ctx, () -> users(ctx)));
    router.post("/apps/:appId/users/:user/terminate_connections").handler(ctx -> respond(ctx,
        () -> service.terminate(app(ctx), ctx.pathParam("user")).map(v -> new JsonObject())));
    router.route("/apps/:appId/*").last().handler(ctx -> ctx.response().setStatusCode(404).end("Not found\n"));
    router.route("/apps/:appId/*").failureHandler(ctx -> {
      int status = ctx.statusCode() == 413 ? 413 : 400;
      ctx.response().setStatusCode(status).end(status == 413 ? "Request body too large\n" : "Bad request\n");
    });
    router.get("/timeline/v2/:transport/:receiver").handler(PusherHttpApi::stats);
  }

  /**
   * pusher-js's connection stats, sent when {@code disableStats} is false to {@code statsHost} (the
   * cluster's address): {@code GET /timeline/v2/xhr/2?…} from Node and workers, {@code GET
   * /timeline/v2/jsonp/{n}?…} from browsers, which load the answer as a script that calls receiver
   * {@code n}. Both are answered the way pusher-js expects, with no other stats host to move to; the
   * reports are not kept (the node's own metrics say more).
   */
  private static void stats(RoutingContext ctx) {
    String receiver = ctx.pathParam("receiver");
    if (!receiver.matches("[0-9]{1,9}")) {
      ctx.response().setStatusCode(404).end("Not found\n");
      return;
    }
    switch (ctx.pathParam("transport")) {
      case "xhr" -> ctx.response().putHeader("Content-Type", "application/json").end("{}");
      case "jsonp" -> ctx.response().putHeader("Content-Type", "application/javascript")
          .putHeader("Cache-Control", "no-store").end("Pusher.ScriptReceivers[" + receiver + "](null,{});");
      default -> ctx.response().setStatusCode(404).end("Not found\n");
    }
  }

  private static PusherApp app(RoutingContext ctx) {
    return ctx.get("pusherApp");
  }

  private void authorize(RoutingContext ctx) {
    PusherApp app = node.appById(ctx.pathParam("appId"));
    if (app == null) {
      ctx.response().setStatusCode(404).end("Unknown app\n");
      return;
    }
    Map<String, String> params = new HashMap<>();
    for (var e : ctx.queryParams()) {
      if (params.putIfAbsent(e.getKey(), e.getValue()) != null) {
        // Which value was signed and which one would be used? Neither: the signature covers each once.
        ctx.response().setStatusCode(400).end("Bad request: query parameter " + e.getKey() + " given twice\n");
        return;
      }
    }
    String signature = params.remove("auth_signature");
    Buffer body = ctx.body().buffer();
    String problem = null;
    long now = System.currentTimeMillis() / 1000;
    if (!app.key().equals(params.get("auth_key"))) {
      problem = "unknown auth_key";
    } else if (!fresh(params.get("auth_timestamp"), now)) {
      problem = "auth_timestamp is more than " + MAX_SKEW_SECONDS + " s from the server's time (" + now + ")";
    } else if (body != null && body.length() > 0
        && !PusherSigning.md5Hex(body.getBytes()).equals(params.get("body_md5"))) {
      problem = "body_md5 does not match the body";
    } else if (!PusherSigning.requestSignatureValid(app, ctx.request().method().name(), ctx.request().path(), params,
        signature)) {
      problem = "invalid signature";
    }
    if (problem != null) {
      log.debug("pusher app {}: refused {} {}: {}", app.id(), ctx.request().method(), ctx.request().path(), problem);
      ctx.response().setStatusCode(401).end("Unauthorized: " + problem + "\n");
      return;
    }
    ctx.put("pusherApp", app);
    ctx.next();
  }

  private static boolean fresh(String timestamp, long now) {
    try {
      return timestamp != null && Math.abs(now - Long.parseLong(timestamp)) <= MAX_SKEW_SECONDS;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ events

  /** One event to publish, checked; {@code info}: the channel attributes its answer is to carry. */
  private record Event(String name, Object data, List<PusherChannel> channels, String socketId, List<String> info) {}

  /** Attributes a trigger may ask for (Pusher's {@code info}). */
  private static final List<String> TRIGGER_INFO = List.of("user_count", "subscription_count");

  /**
   * Publishes; with {@code info}, answers each channel's counts as they are once the event is out,
   * cluster-wide: {@code {"channels": {name: {"subscription_count": n, "user_count": m}}}} (user_count
   * on presence channels only), as Pusher's HTTP API does.
   */
  private Future<JsonObject> events(RoutingContext ctx) {
    PusherApp app = app(ctx);
    Event e = parseEvent(bodyJson(ctx));
    return publish(app, e).compose(v -> {
      if (e.info().isEmpty()) {
        return Future.succeededFuture(new JsonObject());
      }
      JsonObject channels = new JsonObject();
      List<Future<?>> counts = new ArrayList<>();
      for (PusherChannel channel : e.channels()) {
        counts.add(attributes(app, channel, e.info()).onSuccess(a -> channels.put(channel.name(), a)));
      }
      return Future.all(counts).map(x -> new JsonObject().put("channels", channels));
    });
  }

  /** The attributes {@code info} asks for of one channel, cluster-wide. */
  private Future<JsonObject> attributes(PusherApp app, PusherChannel channel, List<String> info) {
    JsonObject out = new JsonObject();
    Future<?> subscriptions = info.contains("subscription_count")
        ? service.subscriptionCount(app, channel.name()).onSuccess(n -> out.put("subscription_count", n))
        : Future.succeededFuture();
    Future<?> users = info.contains("user_count") && channel.kind() == PusherChannel.Kind.PRESENCE
        ? service.users(app, channel).onSuccess(u -> out.put("user_count", u.size()))
        : Future.succeededFuture();
    return Future.all(subscriptions, users).map(x -> out);
  }

  private Future<JsonObject> batch(RoutingContext ctx) {
    JsonArray batch = bodyJson(ctx).getJsonArray("batch");
    if (batch == null) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "missing batch");
    }
    if (batch.size() > MAX_BATCH) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "at most " + MAX_BATCH + " events per batch");
    }
    List<Event> events = new ArrayList<>();
    for (Object item : batch) {
      if (!(item instanceof JsonObject o)) {
        throw new ChatException(ErrorCode.BAD_REQUEST, "batch entries must be objects");
      }
      events.add(parseEvent(o));
    }
    Future<Void> all = Future.succeededFuture();
    for (Event e : events) {
      all = all.compose(v -> publish(app(ctx), e));
    }
    if (events.stream().allMatch(e -> e.info().isEmpty())) {
      return all.map(v -> new JsonObject().put("batch", new JsonArray()));
    }
    // One entry per event, in order: the attributes of its channel that it asked for ({} if none).
    return all.compose(v -> {
      List<Future<JsonObject>> entries = new ArrayList<>();
      for (Event e : events) {
        entries.add(e.info().isEmpty() ? Future.succeededFuture(new JsonObject())
            : attributes(app(ctx), e.channels().get(0), e.info()));
      }
      return Future.all(entries).map(x -> {
        JsonArray batchInfo = new JsonArray();
        entries.forEach(f -> batchInfo.add(f.result()));
        return new JsonObject().put("batch", batchInfo);
      });
    });
  }

  private Event parseEvent(JsonObject json) {
    Object name = json.getValue("name");
    if (!(name instanceof String n) || n.isEmpty() || n.length() > MAX_EVENT_NAME) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "name: a string of 1 to " + MAX_EVENT_NAME + " characters");
    }
    Object data = json.getValue("data");
    String encoded = data instanceof String s ? s : Json.encode(data);
    if (encoded.length() > maxData) {
      throw new ChatException(ErrorCode.TOO_LARGE, "data larger than " + maxData + " bytes");
    }
    List<String> names = new ArrayList<>();
    Object channels = json.getValue("channels");
    if (channels instanceof JsonArray list) {
      list.forEach(c -> names.add(String.valueOf(c)));
    } else if (json.getValue("channel") instanceof String c) {
      names.add(c);
    }
    if (names.isEmpty() || names.size() > MAX_CHANNELS) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "channels: 1 to " + MAX_CHANNELS + " channel names");
    }
    List<PusherChannel> parsed = new ArrayList<>();
    for (String c : names) {
      PusherChannel channel = PusherChannel.parse(c);
      if (channel == null) {
        throw new ChatException(ErrorCode.BAD_REQUEST, "invalid channel name: " + c);
      }
      parsed.add(channel);
    }
    Object socketId = json.getValue("socket_id");
    if (socketId != null && !(socketId instanceof String s && SOCKET_ID.matcher(s).matches())) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "invalid socket_id");
    }
    Object infoValue = json.getValue("info");
    List<String> info = List.of();
    if (infoValue != null) {
      if (!(infoValue instanceof String i)) {
        throw new ChatException(ErrorCode.BAD_REQUEST, "info: a comma-separated list of attributes");
      }
      info = List.of(i.split(","));
      for (String attribute : info) {
        if (!TRIGGER_INFO.contains(attribute)) {
          throw new ChatException(ErrorCode.BAD_REQUEST, "info: unknown attribute '" + attribute + "' (" + TRIGGER_INFO
              + ")");
        }
      }
      if (info.contains("user_count") && parsed.stream().noneMatch(c -> c.kind() == PusherChannel.Kind.PRESENCE)) {
        throw new ChatException(ErrorCode.BAD_REQUEST, "info=user_count is for presence channels");
      }
    }
    return new Event(n, encoded, parsed, (String) socketId, info);
  }

  private Future<Void> publish(PusherApp app, Event e) {
    Future<Void> all = Future.succeededFuture();
    for (PusherChannel channel : e.channels()) {
      all = all.compose(v -> service.publish(app, channel, e.name(), e.data(), e.socketId(), null));
    }
    return all;
  }

  // ------------------------------------------------------------------ channel information

  private Future<JsonObject> channels(RoutingContext ctx) {
    PusherApp app = app(ctx);
    String prefix = ctx.queryParams().get("filter_by_prefix");
    boolean userCount = info(ctx).contains("user_count");
    boolean subscriptionCount = info(ctx).contains("subscription_count");
    if (userCount && (prefix == null || !prefix.startsWith("presence-"))) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "info=user_count needs filter_by_prefix=presence-");
    }
    return service.occupiedChannels(app).compose(names -> {
      JsonObject out = new JsonObject();
      List<Future<?>> counts = new ArrayList<>();
      for (String name : names) {
        if (prefix != null && !name.startsWith(prefix)) {
          continue;
        }
        JsonObject entry = new JsonObject();
        out.put(name, entry);
        if (userCount) {
          counts.add(service.users(app, PusherChannel.parse(name)).onSuccess(u -> entry.put("user_count", u.size())));
        }
        if (subscriptionCount) {
          counts.add(service.subscriptionCount(app, name).onSuccess(c -> entry.put("subscription_count", c)));
        }
      }
      return Future.all(counts).map(v -> new JsonObject().put("channels", out));
    });
  }

  private Future<JsonObject> channel(RoutingContext ctx) {
    PusherApp app = app(ctx);
    PusherChannel channel = channelParam(ctx);
    List<String> info = info(ctx);
    if (info.contains("user_count") && channel.kind() != PusherChannel.Kind.PRESENCE) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "user_count is for presence channels");
    }
    return service.subscriptionCount(app, channel.name()).compose(count -> {
      JsonObject out = new JsonObject().put("occupied", count > 0);
      if (info.contains("subscription_count")) {
        out.put("subscription_count", count);
      }
      if (!info.contains("user_count")) {
        return Future.succeededFuture(out);
      }
      return service.users(app, channel).map(u -> out.put("user_count", u.size()));
    });
  }

  private Future<JsonObject> users(RoutingContext ctx) {
    PusherChannel channel = channelParam(ctx);
    if (channel.kind() != PusherChannel.Kind.PRESENCE) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "users are listed for presence channels only");
    }
    return service.users(app(ctx), channel).map(ids -> {
      JsonArray users = new JsonArray();
      ids.forEach(id -> users.add(new JsonObject().put("id", id)));
      return new JsonObject().put("users", users);
    });
  }

  private static PusherChannel channelParam(RoutingContext ctx) {
    PusherChannel channel = PusherChannel.parse(ctx.pathParam("name"));
    if (channel == null) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "invalid channel name");
    }
    return channel;
  }

  private static List<String> info(RoutingContext ctx) {
    String info = ctx.queryParams().get("info");
    return info == null ? List.of() : List.of(info.split(","));
  }

  private static JsonObject bodyJson(RoutingContext ctx) {
    String encoding = chatcluster.node.protocol.JsonNumbers.notUtf8Json(ctx.body().buffer());
    if (encoding != null) {
      throw new ChatException(ErrorCode.BAD_REQUEST, encoding);
    }
    try {
      Buffer body = ctx.body().buffer();
      return body == null ? new JsonObject() : body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "the body is not a JSON object");
    }
  }

  /** Writes a result, or the status its failure means. */
  private static void respond(RoutingContext ctx, java.util.function.Supplier<Future<JsonObject>> handler) {
    Future<JsonObject> result;
    try {
      result = handler.get();
    } catch (ChatException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", "application/json").end(ar.result().encode());
        return;
      }
      Throwable e = ar.cause();
      int status = 500;
      if (e instanceof ChatException ce) {
        status = switch (ce.code()) {
          case BAD_REQUEST -> 400;
          case TOO_LARGE -> 413;
          case UNAVAILABLE -> 503;
          default -> 500;
        };
      }
      if (status == 500) {
        log.error("pusher API {} {} failed", ctx.request().method(), ctx.request().path(), e);
      }
      ctx.response().setStatusCode(status).end((status == 500 ? "Internal error" : e.getMessage()) + "\n");
    });
  }
}
