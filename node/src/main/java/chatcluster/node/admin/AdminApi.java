package chatcluster.node.admin;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.JsonNumbers;
import chatcluster.node.runtime.Contexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin/api/} (every route needs the admin credential, as
 * {@code Authorization: Bearer <token>}; anything else is 401 with nothing more said) and the web
 * console under {@code /admin/}. Every call is logged at INFO with who made it, never the
 * credential (refusals at most 10 a second: anyone can cause them). Answers are JSON; bad input is a 4xx {@code {"error":code,"message"}}.
 *
 * <p>Threading: one instance serves every loop's router; handlers run on the event loop that took the
 * request and hop to the node's context,
 * where the {@link AdminService} lives. docs/admin.md and {@code admin/openapi.json} (served at
 * {@code /admin/api/openapi.json}) describe every route; a test holds the three together.
 */
public final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  public static final String PREFIX = "/admin/api";
  private static final int MAX_BODY = 256 * 1024;
  private static final String WHO = "admin.who";

  private final Vertx vertx;
  private final Context nodeContext;
  private final AdminService service;
  private final AdminCredential credential;
  /** Refusals are logged at most 10 a second (anyone can cause them); the next line counts those left out. */
  private final chatcluster.node.runtime.RateLimiter refusalLog =
      new chatcluster.node.runtime.RateLimiter(10, 20, System.nanoTime());
  private final java.util.concurrent.atomic.AtomicLong refusalsNotLogged = new java.util.concurrent.atomic.AtomicLong();

  public AdminApi(Vertx vertx, Context nodeContext, AdminService service, AdminCredential credential) {
    this.vertx = vertx;
    this.nodeContext = nodeContext;
    this.service = service;
    this.credential = credential;
  }

  public void mount(Router router) {
    router.route(PREFIX + "/*").handler(this::authorize);
    router.get(PREFIX + "/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(OpenApiDocument.text()));
    router.get(PREFIX + "/nodes").handler(ctx -> respond(ctx, service::nodes));
    router.post(PREFIX + "/nodes/:node/drain").handler(body()).handler(ctx -> {
      JsonObject b = json(ctx);
      Long window = longField(b, "window");
      respond(ctx, () -> service.drain(ctx.pathParam("node"), window));
    });
    router.get(PREFIX + "/channels").handler(ctx -> {
      int limit = intParam(ctx, "limit", 100);
      String prefix = ctx.queryParams().get("prefix");
      String cursor = ctx.queryParams().get("cursor");
      respond(ctx, () -> service.channels(prefix == null ? "" : prefix, cursor == null || cursor.isEmpty() ? null
          : cursor, limit));
    });
    router.get(PREFIX + "/channels/:name").handler(ctx -> {
      int history = intParam(ctx, "history", 20);
      respond(ctx, () -> service.channel(ctx.pathParam("name"), history));
    });
    router.post(PREFIX + "/channels/:name/publish").handler(body()).handler(ctx -> {
      JsonObject b = json(ctx);
      if (!b.containsKey("data")) {
        throw ChatException.badRequest("'data' is required");
      }
      respond(ctx, () -> service.publish(ctx.pathParam("name"), b.getValue("data")));
    });
    router.get(PREFIX + "/users/:user").handler(ctx -> respond(ctx, () -> service.user(ctx.pathParam("user"))));
    router.post(PREFIX + "/users/:user/disconnect").handler(body()).handler(ctx -> {
      JsonObject b = json(ctx);
      int code = closeCode(b);
      String reason = stringField(b, "reason");
      respond(ctx, () -> service.disconnect(ctx.pathParam("user"), null, code, reason));
    });
    router.post(PREFIX + "/users/:user/unsubscribe").handler(body()).handler(ctx -> {
      String channel = stringField(json(ctx), "channel");
      if (channel == null) {
        throw ChatException.badRequest("'channel' is required");
      }
      respond(ctx, () -> service.unsubscribe(ctx.pathParam("user"), channel));
    });
    router.post(PREFIX + "/sessions/:session/disconnect").handler(body()).handler(ctx -> {
      JsonObject b = json(ctx);
      int code = closeCode(b);
      String reason = stringField(b, "reason");
      respond(ctx, () -> service.disconnect(null, ctx.pathParam("session"), code, reason));
    });
    router.get(PREFIX + "/tasks").handler(ctx -> respond(ctx, service::tasks));
    router.delete(PREFIX + "/tasks/:task").handler(ctx -> respond(ctx, () -> service.cancelTask(ctx.pathParam("task"))));
    router.route(PREFIX + "/*").last().handler(ctx -> fail(ctx, new ChatException(ErrorCode.NOT_FOUND,
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path())));
    router.route(PREFIX + "/*").failureHandler(this::failed);
    router.get("/admin").handler(ctx -> {
      if (ctx.request().path().equals("/admin")) {
        ctx.redirect("/admin/");
      } else {
        ctx.next(); // the route also matches /admin/
      }
    });
    router.get("/admin/*").handler(StaticHandler.create("admin").setCachingEnabled(false)
        .setDefaultContentEncoding("UTF-8"));
  }

  private static BodyHandler body() {
    return BodyHandler.create(false).setBodyLimit(MAX_BODY);
  }

  // ------------------------------------------------------------------ credential and log

  private void authorize(RoutingContext ctx) {
    String peer = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    String forwarded = ctx.request().getHeader("X-Forwarded-For");
    String from = forwarded == null ? peer : peer + " (for " + forwarded + ")";
    String token = AdminCredential.bearer(ctx.request().getHeader("Authorization"));
    // A JWT check may finish later (and an Authenticator on a thread of its own): the body waits, and
    // what follows runs back on this loop.
    ctx.request().pause();
    chatcluster.node.runtime.Contexts.onCaller(credential.check(token, peer, ctx.request().headers())).onComplete(ar -> {
      ctx.request().resume();
      String who = ar.succeeded() ? ar.result() : null;
      if (who == null) {
        logRefusal(ctx, from, token == null ? "no credential" : "wrong credential");
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"chatcluster-admin\"");
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.json(new JsonObject().put("error", ErrorCode.UNAUTHORIZED.wire()).put("message", "unauthorized"));
        return;
      }
      ctx.put(WHO, who);
      ctx.addEndHandler(v -> log.info("admin {} {} by {} from {}: {}", ctx.request().method(), ctx.request().path(),
          who, from, ctx.response().getStatusCode()));
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.next();
    });
  }

  private void logRefusal(RoutingContext ctx, String from, String why) {
    boolean logged;
    synchronized (refusalLog) {
      logged = refusalLog.tryAcquire(System.nanoTime());
    }
    if (!logged) {
      refusalsNotLogged.incrementAndGet();
      return;
    }
    long left = refusalsNotLogged.getAndSet(0);
    log.info("admin {} {} from {} refused: {}{}", ctx.request().method(), ctx.request().path(), from, why,
        left > 0 ? " (" + left + " earlier refusals not logged)" : "");
  }

  // ------------------------------------------------------------------ answers

  private void respond(RoutingContext ctx, Supplier<Future<JsonObject>> call) {
    Contexts.call(vertx, nodeContext, call).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.json(ar.result());
      } else if (ar.cause() instanceof ChatException e) {
        fail(ctx, e);
      } else {
        log.error("admin {} {} failed", ctx.request().method(), ctx.request().path(), ar.cause());
        fail(ctx, new ChatException(ErrorCode.INTERNAL, "internal error"));
      }
    });
  }

  private void failed(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      fail(ctx, new ChatException(ErrorCode.TOO_LARGE, "request body larger than " + MAX_BODY + " bytes"));
    } else if (ctx.failure() instanceof ChatException ce) {
      fail(ctx, ce);
    } else {
      if (ctx.failure() != null && !(ctx.failure() instanceof IllegalArgumentException)) {
        log.warn("admin {} {}: {}", ctx.request().method(), ctx.request().path(), ctx.failure().toString());
      }
      fail(ctx, ChatException.badRequest("bad request"));
    }
  }

  static void fail(RoutingContext ctx, ChatException e) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status(e.code()));
    ctx.json(new JsonObject().put("error", e.code().wire()).put("message", e.getMessage()));
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
      case TIMEOUT, UPSTREAM_ERROR -> 504;
      default -> 500;
    };
  }

  // ------------------------------------------------------------------ input

  /** The request body as a JSON object; an empty body is an empty object. */
  private static JsonObject json(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ChatException.badRequest("malformed JSON");
    }
    if (!(value instanceof JsonObject o)) {
      throw ChatException.badRequest("the body must be a JSON object");
    }
    if (!JsonNumbers.allFinite(o)) {
      throw ChatException.badRequest("numbers must be finite");
    }
    return o;
  }

  private static int intParam(RoutingContext ctx, String name, int otherwise) {
    String v = ctx.queryParams().get(name);
    if (v == null || v.isEmpty()) {
      return otherwise;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ChatException.badRequest("'" + name + "' must be an integer");
    }
  }

  private static String stringField(JsonObject b, String name) {
    Object v = b.getValue(name);
    if (v != null && !(v instanceof String)) {
      throw ChatException.badRequest("'" + name + "' must be a string");
    }
    return (String) v;
  }

  private static Long longField(JsonObject b, String name) {
    Object v = b.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw ChatException.badRequest("'" + name + "' must be an integer");
    }
    return n.longValue();
  }

  private static int closeCode(JsonObject b) {
    Long code = longField(b, "code");
    if (code == null) {
      return Questions.DEFAULT_CLOSE_CODE;
    }
    if (code < 0 || code > 65535 || !AdminService.closeCodeAllowed(code.intValue())) {
      throw ChatException.badRequest("code must be 1000, 1001, 1008, 1011, 1012, 1013 or 3000 to 4999");
    }
    return code.intValue();
  }
}
