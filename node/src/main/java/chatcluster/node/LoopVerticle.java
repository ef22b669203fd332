package chatcluster.node;

import chatcluster.node.hub.LoopFanout;
import chatcluster.node.pusher.PusherHttpApi;
import chatcluster.node.pusher.PusherLoop;
import chatcluster.node.pusher.PusherNode;
import chatcluster.node.relay.HttpRelayApi;
import chatcluster.node.relay.RelayService;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.session.ClientSession;
import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
import chatcluster.node.transport.FlushBatch;
import chatcluster.node.transport.PathGuard;
import chatcluster.node.transport.WebSocketEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One of the node's event loops: its own HTTP server on the node's shared port (Vert.x spreads
 * accepted connections over the loops' servers), the sessions accepted on it, their subscriptions and
 * their writes. Everything here is confined to this verticle's context; the node's shared parts are
 * reached through {@link NodeServices#forLoop}.
 */
final class LoopVerticle extends VerticleBase {
  private final NodeServices shared;
  private final Context nodeContext;
  private final int index;
  private final int port;
  private final Consumer<Router> routes;
  private final PusherNode pusher;
  private NodeServices services;
  /** This loop's end of the hub's fan-out. */
  private LoopFanout fanout;
  private WebSocketEndpoint endpoint;
  /** This loop's fan-out writes, flushed once per connection per hand-over from the hub. */
  private FlushBatch batch;
  /** The Pusher adapter's endpoint on /app/{key}, or null when no Pusher app is configured. */
  private WebSocketEndpoint pusherEndpoint;
  private HttpServer server;

  /**
   * @param port   the port to listen on (the first loop's actual port for the others)
   * @param routes mounts the node's HTTP routes (health, metrics, relay API) on this loop's router
   * @param pusher the Pusher adapter's node-level part, or null when no Pusher app is configured
   */
  LoopVerticle(NodeServices shared, Context nodeContext, int index, int port, Consumer<Router> routes,
               PusherNode pusher) {
    this.pusher = pusher;
    this.shared = shared;
    this.nodeContext = nodeContext;
    this.index = index;
    this.port = port;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    batch = new FlushBatch(vertx, shared.config().writeDelay());
    fanout = new LoopFanout(context, shared.hub(), index, batch);
    LoopServices loop = shared.forLoop(nodeContext, fanout.channels(), fanout.recipients());
    services = loop.node();
    endpoint = new WebSocketEndpoint(vertx, services.config(), services.metrics(), services.connections(),
        services.addresses(), batch, (connection, request) -> new ClientSession(loop, connection, request).start());
    Router router = Router.router(vertx);
    routes.accept(router);
    for (String path : WebSocketEndpoint.PATHS) {
      router.route(path).handler(ctx -> answerPlainRequest(ctx.response()));
    }
    if (services.config().relayApiKey() != null && services.config().relayHttpPort() == null) {
      new HttpRelayApi(services, new RelayService(services), services.config().relayApiKey(),
          services.config().relayMaxBody()).mount(router);
    }
    if (pusher != null) {
      PusherLoop pusherLoop = pusher.forLoop(loop);
      pusherEndpoint = new WebSocketEndpoint(vertx, services.config(), services.metrics(), services.connections(),
          services.addresses(), batch, pusherLoop::accept, PusherLoop::isPusherPath, PusherLoop::drainClose);
      new PusherHttpApi(pusherLoop).mount(router);
      new chatcluster.node.transport.HttpFallback(vertx, services.config(), pusherEndpoint, pusher.httpSessions(),
          PusherLoop.HTTP_PATH_PREFIX, PusherLoop.PATH_PREFIX).mount(router);
    }
    HttpServerOptions options = WebSocketEndpoint.serverOptions(services.config()).setPort(port);
    server = vertx.createHttpServer(options).webSocketHandshakeHandler(hs -> {
      if (pusherEndpoint != null && PusherLoop.isPusherPath(hs.path())) {
        pusherEndpoint.handle(hs);
      } else {
        endpoint.handle(hs);
      }
    }).requestHandler(PathGuard.guarding(router));
    return Contexts.call(vertx, nodeContext, () -> {
      shared.hub().attach(index, fanout);
      return Future.succeededFuture();
    }).compose(v -> server.listen()).onSuccess(s -> {
      endpoint.startHeartbeat();
      if (pusherEndpoint != null) {
        pusherEndpoint.startHeartbeat();
      }
    });
  }

  /** A plain HTTP request (a browser, curl) on the WebSocket path: say what the path is for. */
  private void answerPlainRequest(io.vertx.core.http.HttpServerResponse response) {
    response.putHeader("Content-Type", "text/plain; charset=utf-8");
    if (!services.config().websocketEnabled()) {
      response.setStatusCode(404).end("This node has no client endpoint (WEBSOCKET_ENABLED is false).\n");
      return;
    }
    response.setStatusCode(426).putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade")
        .end("This is ChatCluster's WebSocket endpoint: connect with a WebSocket client "
            + "(Upgrade: websocket), e.g. python3 -m websockets ws://host:port/ws\n");
  }

  int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** Connections open on this loop. Any thread. */
  int connections() {
    return (endpoint == null ? 0 : endpoint.size()) + (pusherEndpoint == null ? 0 : pusherEndpoint.size());
  }

  boolean draining() {
    return endpoint != null && endpoint.draining();
  }

  /** Closes this loop's connections with 1012 over {@code window}. Any thread. */
  Future<Void> drain(Duration window) {
    return Contexts.call(vertx, context, () -> pusherEndpoint == null ? endpoint.drain(window)
        : Future.all(endpoint.drain(window), pusherEndpoint.drain(window)).mapEmpty());
  }

  /** Writes every connection's route and presence entries again (the cluster took the node for dead). Any thread. */
  void rejoin() {
    context.runOnContext(v -> fanout.rejoin());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
