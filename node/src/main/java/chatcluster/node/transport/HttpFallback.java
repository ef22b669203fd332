package chatcluster.node.transport;

import chatcluster.node.config.NodeConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * HTTP fallback transports for clients whose WebSocket cannot get through (a proxy that strips the
 * upgrade): pusher-js's {@code xhr_streaming} and {@code xhr_polling}, SockJS's XHR framing under
 * {@code {prefix}/{key}/{server}/{session}/}: {@code xhr_streaming} and {@code xhr} receive,
 * {@code xhr_send} sends. A session is a {@link Connection} of the loop's endpoint like a WebSocket:
 * the same limits, heartbeat, drain and session above it (the endpoint's acceptor gets it with the
 * WebSocket path {@code {wsPrefix}{key}} it stands for).
 *
 * <p>Sessions are found by their path, node-wide, and answer only the client address that opened
 * them (the path is not a secret: it shows in access logs): the requests of one session may arrive on any of
 * the node's event loops (each request may come on a new TCP connection), and each runs on the loop
 * that made the session. Behind a load balancer every request of a session must reach the same node:
 * nginx hashes on the session part of the path (see nginx/).
 *
 * <p>Cross-origin: the page that runs pusher-js is usually served from another origin. Answers carry
 * {@code Access-Control-Allow-Origin} for an allowed Origin (the node's {@code allowedOrigins}, all
 * when empty), preflights are answered; no credentials are involved.
 *
 * <p>Threading: one instance per event loop; the registry is the node's.
 */
public final class HttpFallback {
  private static final Pattern SERVER = Pattern.compile("[0-9]{1,6}");
  private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Vertx vertx;
  private final NodeConfig config;
  private final WebSocketEndpoint endpoint;
  private final ConcurrentMap<String, HttpFallbackSession> registry;
  private final String prefix;

  /** The node's HTTP fallback sessions by path, shared by every loop's {@link HttpFallback}. */
  public static final class Registry {
    final ConcurrentMap<String, HttpFallbackSession> sessions = new java.util.concurrent.ConcurrentHashMap<>();

    /** Sessions open (or closed but still answering their client's last request). Any thread. */
    public int size() {
      return sessions.size();
    }
  }
  private final String wsPrefix;

  /**
   * @param registry the node's sessions, shared by every loop's instance
   * @param prefix   where the transports are served, e.g. {@code /pusher/app/}
   * @param wsPrefix the WebSocket path prefix the endpoint's acceptor reads the key from, e.g. {@code /app/}
   */
  public HttpFallback(Vertx vertx, NodeConfig config, WebSocketEndpoint endpoint, Registry registry, String prefix,
                      String wsPrefix) {
    this.vertx = vertx;
    this.config = config;
    this.endpoint = endpoint;
    this.registry = registry.sessions;
    this.prefix = prefix;
    this.wsPrefix = wsPrefix;
  }

  public void mount(Router router) {
    String path = prefix + ":key/:server/:session/";
    router.options(prefix + "*").handler(this::preflight);
    router.post(path + "xhr_streaming").handler(ctx -> receive(ctx, true));
    router.post(path + "xhr").handler(ctx -> receive(ctx, false));
    router.post(path + "xhr_send").handler(BodyHandler.create(false)
        .setBodyLimit(WebSocketEndpoint.decoderLimit(config))).handler(this::send);
  }

  private void preflight(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (!cors(ctx.request(), response)) {
      response.setStatusCode(403).end();
      return;
    }
    response.putHeader("Access-Control-Allow-Methods", "OPTIONS, POST")
        .putHeader("Access-Control-Allow-Headers", "Content-Type")
        .putHeader("Access-Control-Max-Age", "86400")
        .setStatusCode(204).end();
  }

  /** Sets the CORS answer headers; false when the request's Origin is not allowed. */
  private boolean cors(HttpServerRequest request, HttpServerResponse response) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return true;
    }
    List<String> allowed = config.allowedOrigins();
    if (!allowed.isEmpty() && !allowed.contains("*") && allowed.stream().noneMatch(a -> a.equalsIgnoreCase(origin))) {
      return false;
    }
    response.putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    return true;
  }

  private String sessionKey(RoutingContext ctx) {
    String server = ctx.pathParam("server");
    String session = ctx.pathParam("session");
    if (!SERVER.matcher(server).matches() || !SESSION.matcher(session).matches()) {
      return null;
    }
    return ctx.pathParam("key") + "/" + server + "/" + session;
  }

  private void receive(RoutingContext ctx, boolean streaming) {
    HttpServerResponse response = ctx.response();
    String key = sessionKey(ctx);
    if (key == null) {
      response.setStatusCode(404).end();
      return;
    }
    if (!cors(ctx.request(), response)) {
      response.setStatusCode(403).end();
      return;
    }
    response.putHeader("Content-Type", "application/javascript; charset=UTF-8")
        .putHeader("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
    if (streaming) {
      response.setChunked(true);
    }
    Context here = vertx.getOrCreateContext();
    String query = ctx.request().query();
    String uri = wsPrefix + ctx.pathParam("key") + (query == null ? "" : "?" + query);
    Handshake request = Handshake.of(ctx.request(), uri, config);
    HttpFallbackSession session = registry.get(key);
    boolean fresh = false;
    if (session == null) {
      HttpFallbackSession made = new HttpFallbackSession(vertx, registry, key, config.sendQueueMax(),
          request.remoteAddress());
      session = registry.putIfAbsent(key, made);
      if (session == null) {
        session = made;
        fresh = true;
      }
    }
    if (!session.client.equals(request.remoteAddress())) {
      response.setChunked(false).setStatusCode(404).end(); // another client's session: nothing to see
      return;
    }
    HttpFallbackSession s = session;
    // The response is this loop's: its close is watched here and told to the session's loop.
    response.closeHandler(v -> s.context.runOnContext(x -> s.gone(response)));
    if (fresh) {
      Integer refused = endpoint.acceptCarried(s, request);
      if (refused != null) {
        registry.remove(key, s);
        response.setChunked(false).setStatusCode(refused).end();
        return;
      }
      s.receive(response, here, streaming);
    } else {
      s.context.runOnContext(v -> s.receive(response, here, streaming));
    }
    if (response.closed()) {
      s.context.runOnContext(v -> s.gone(response)); // closed before its handler was set: after the receive
    }
  }

  private void send(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    String key = sessionKey(ctx);
    HttpFallbackSession session = key == null ? null : registry.get(key);
    if (!cors(ctx.request(), response)) {
      response.setStatusCode(403).end();
      return;
    }
    if (session == null || !session.client.equals(Handshake.of(ctx.request(), "", config).remoteAddress())) {
      response.setStatusCode(404).end();
      return;
    }
    List<String> messages = new ArrayList<>();
    try {
      Object parsed = Json.decodeValue(ctx.body().buffer() == null ? "" : ctx.body().asString());
      if (!(parsed instanceof JsonArray array)) {
        throw new DecodeException("not an array");
      }
      for (Object m : array) {
        if (!(m instanceof String text)) {
          throw new DecodeException("not a string");
        }
        messages.add(text);
      }
    } catch (DecodeException | ClassCastException e) {
      response.setStatusCode(400).putHeader("Content-Type", "text/plain; charset=UTF-8")
          .end("Broken JSON encoding: a JSON array of strings, please\n");
      return;
    }
    session.context.runOnContext(v -> session.received(messages));
    response.setStatusCode(204).end();
  }
}
