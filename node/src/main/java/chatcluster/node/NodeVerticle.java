package chatcluster.node;

import chatcluster.cluster.ClusterState;
import chatcluster.node.admin.AdminApi;
import chatcluster.node.admin.AdminCredential;
import chatcluster.node.admin.AdminService;
import chatcluster.node.admin.NodeFacts;
import chatcluster.cluster.NodeInfo;
import chatcluster.node.rest.ApiProxy;
import chatcluster.node.rest.RestRelay;
import chatcluster.node.rest.TaskScheduler;
import chatcluster.node.tasks.TaskStore;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.auth.JwtVerifiers;
import chatcluster.node.auth.TokenAuthenticator;
import chatcluster.node.broker.Broker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.config.ConfigException;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.relay.HttpRelayApi;
import chatcluster.node.relay.RelayService;
import chatcluster.node.relay.UnixSocketRelayEndpoint;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.hub.Hub;
import chatcluster.node.transport.PathGuard;
import chatcluster.node.transport.ClientAddresses;
import chatcluster.node.transport.ConnectionLimit;
import chatcluster.node.transport.WebSocketEndpoint;
import chatcluster.node.ops.HealthRoutes;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.ops.PrometheusMetrics;
import chatcluster.node.pusher.PusherNode;
import chatcluster.node.core.Outbound;
import chatcluster.node.core.PublishBudget;
import chatcluster.node.core.Presence;
import chatcluster.node.session.NativePresence;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node: its shared parts on this verticle's context (the node's context), and its connections on
 * {@code eventLoops} {@link LoopVerticle}s that share the node's port.
 *
 * <p>The broker, the stores, the cluster state, the scheduler and the {@link Hub} belong to the node's
 * context and need no locks; loops reach them through {@link NodeServices#forLoop}, which hops here and
 * back. Each loop owns its sessions, their subscriptions and their writes. A message arrives from the
 * broker once per node and the hub hands the same bytes to each loop that has subscribers of it.
 */
final class NodeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(NodeVerticle.class);

  private final NodeConfig config;
  private final ChannelCatalog catalog;
  private final NodeHooks hooks;
  private final NodeMetrics metrics;
  private final Authenticator customAuthenticator;
  private final ClusterState hazelcast;
  private final long startedAt = System.currentTimeMillis();
  private NodeServices services;
  private UnixSocketRelayEndpoint relaySocket;
  private PrometheusMetrics prometheus;
  private HttpServer relayServer;
  /** The operations console's API, or null without admin.token. */
  private AdminApi admin;
  /** The Pusher adapter's node-level part, or null when no Pusher app is configured. */
  private PusherNode pusher;
  private final java.util.List<LoopVerticle> loops = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean started;
  private volatile boolean draining;
  private int port = -1;

  /** @param hazelcast the Hazelcast cluster state when the node joined one, else null */
  NodeVerticle(NodeConfig config, ChannelCatalog catalog, NodeHooks hooks, NodeMetrics metrics,
               Authenticator customAuthenticator, ClusterState hazelcast) {
    this.hazelcast = hazelcast;
    this.config = config;
    this.catalog = catalog;
    this.hooks = hooks;
    this.metrics = metrics;
    this.customAuthenticator = customAuthenticator;
  }

  @Override
  public Future<?> start() {
    return authenticator().compose(authenticator -> {
      Backends backends = Backends.of(vertx, config, catalog, metrics, hazelcast);
      Broker broker = backends.broker;
      ClusterState cluster = backends.cluster;
      // One presence membership for both protocols; Pusher adds its rendering below.
      Presence.Renderings renderings = new Presence.Renderings(new NativePresence());
      Outbound outbound = new Outbound(broker, metrics);
      Presence presence = new Presence(backends.presence, outbound, renderings);
      backends.wire(presence, () -> loops.forEach(LoopVerticle::rejoin));
      int loopCount = config.eventLoopCount();
      Hub hub = new Hub(vertx, broker, metrics, loopCount);
      ConnectionLimit connections = new ConnectionLimit(config.maxClients());
      Optional<RestRelay> rest = Optional.empty();
      Future<Void> taskStoreReady = Future.succeededFuture();
      if (config.api().enabled()) {
        ApiProxy api = new ApiProxy(vertx, config.api(), config.nodeId());
        TaskStore store = backends.taskStore(vertx, config);
        taskStoreReady = store.load();
        rest = Optional.of(new RestRelay(api, new TaskScheduler(vertx, api, store, cluster, outbound)));
      }
      services = new NodeServices(vertx, config, config.nodeId(), catalog, hub, connections,
          new ClientAddresses(config.security()), broker, outbound,
          new PublishBudget(vertx, config.security().channelPublishRate()),
          backends.history, presence, cluster, authenticator, hooks, metrics, rest, backends.inboxPositions);
      prometheus = new PrometheusMetrics(config.nodeId(), metrics, connections::count, () -> hub.channels().size(),
          () -> notReadyReason() == null);
      if (!config.pusherApps().isEmpty()) {
        pusher = new PusherNode(services, config.pusherApps());
        renderings.add(pusher.presenceRendering());
        pusher.installBridge(hooks);
      }
      if (config.adminToken() != null) {
        admin = new AdminApi(vertx, context, new AdminService(services, facts()),
            new AdminCredential(config.adminToken(), config.adminJwt() ? authenticator : null));
      }
      RelayService relay = new RelayService(services);
      Router separateApi = null;
      if (config.relayApiKey() != null && config.relayHttpPort() != null) {
        separateApi = Router.router(vertx);
        new HttpRelayApi(services, relay, config.relayApiKey(), config.relayMaxBody()).mount(separateApi);
      }
      Router apiRouter = separateApi;
      Future<Void> tasksLoaded = taskStoreReady;
      return broker.start()
          .compose(v -> tasksLoaded)
          .compose(v -> startRelay(relay, apiRouter))
          .compose(v -> startLoops(loopCount));
    }).onSuccess(s -> {
      started = true;
      if (services.rest().isPresent()) {
        services.rest().get().tasks().start();
        log.info("REST relay to {} (scheduled tasks in {})", config.api().baseUrl(),
            config.clustered() ? "Redis" : config.api().tasksFile());
      }
      publishSelf(port);
      vertx.setPeriodic(DIRECTORY_PERIOD_MS, t -> publishSelf(port));
      String scheme = config.ssl() ? "wss" : "ws";
      if (pusher != null) {
        log.info("Pusher protocol for {} app(s) on {}://{}:{}/app/{key}, HTTP API under /apps/{id}/",
            config.pusherApps().size(), scheme, config.host(), port);
      }
      if (admin != null) {
        log.info("operations console on {}://{}:{}/admin/ (API under {}/, admin token required)",
            config.ssl() ? "https" : "http", config.host(), port, AdminApi.PREFIX);
      }
      if (config.websocketEnabled()) {
        log.info("ChatCluster node {} serving {}://{}:{}/ws on {} event loops (health: {}://{}:{}/health/ready)",
            config.nodeId(), scheme, config.host(), port, loops.size(), config.ssl() ? "https" : "http", config.host(),
            port);
      } else {
        log.info("ChatCluster node {} without a client endpoint ({} is false): relay and HTTP API only, "
            + "health on {}://{}:{}/health/ready", config.nodeId(), ConfigOption.WEBSOCKET_ENABLED.env(),
            config.ssl() ? "https" : "http", config.host(), port);
      }
    });
  }

  /**
   * Deploys the loops as instances of one deployment; their servers share one listening socket and
   * Vert.x spreads accepted connections over them. Port 0 becomes a negative port of this node's
   * own: Vert.x shares a random port between servers bound to the same negative number.
   */
  private Future<Void> startLoops(int count) {
    int bindPort = config.port() != 0 ? config.port() : -RANDOM_PORT_GROUPS.incrementAndGet();
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    return vertx.deployVerticle(() -> {
      LoopVerticle loop = new LoopVerticle(services, context, next.getAndIncrement(), bindPort, this::mountRoutes,
          pusher);
      loops.add(loop);
      return loop;
    }, new io.vertx.core.DeploymentOptions().setInstances(count)).map(id -> {
      port = loops.get(0).actualPort();
      return (Void) null;
    }).recover(e -> Future.failedFuture(portTaken(e, ConfigOption.PORT, config.port())));
  }

  /** A port another process holds is a configuration problem: name the option that chose it. */
  private Throwable portTaken(Throwable e, ConfigOption option, int port) {
    // The JDK's sockets say BindException; epoll's say "bind(..) failed ... Address already in use".
    boolean inUse = e instanceof java.net.BindException
        || (e instanceof java.io.IOException && e.getMessage() != null && e.getMessage().contains("Address already in use"));
    if (inUse) {
      return config.sources().problem(option, config.host() + ":" + port + " is already in use by another process ("
          + e.getMessage() + ")");
    }
    return e;
  }

  /** The HTTP routes every loop serves besides /ws: health, metrics, and the chat page (webroot/) last. */
  private void mountRoutes(Router router) {
    HealthRoutes.mount(router, this::notReadyReason);
    prometheus.mount(router);
    if (admin != null) {
      admin.mount(router);
    }
    router.get("/*").last().handler(io.vertx.ext.web.handler.StaticHandler.create("webroot"));
  }

  private static final long DIRECTORY_PERIOD_MS = 5000;
  /** Distinct negative ports for nodes on port 0 in one JVM (see {@link #startLoops}). */
  private static final java.util.concurrent.atomic.AtomicInteger RANDOM_PORT_GROUPS =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The Unix socket relay and, when it has a port of its own, the HTTP API's server. */
  private Future<Void> startRelay(RelayService relay, Router separateApi) {
    Future<Void> f = Future.succeededFuture();
    if (config.relaySocket() != null) {
      relaySocket = new UnixSocketRelayEndpoint(vertx, relay, config.relaySocket(), config.relayMaxBody());
      f = relaySocket.start();
    }
    if (separateApi != null) {
      f = f.compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
          .setPort(config.relayHttpPort())).requestHandler(PathGuard.guarding(separateApi)).listen()).map(s -> {
            relayServer = s;
            log.info("backend HTTP API on http://{}:{}/api/", config.host(), s.actualPort());
            return (Void) null;
          }).recover(e -> Future.failedFuture(portTaken(e, ConfigOption.RELAY_HTTP_PORT, config.relayHttpPort())));
    } else if (config.relayApiKey() != null) {
      log.info("backend HTTP API on the WebSocket port, under /api/");
    }
    return f;
  }

  int relayHttpPort() {
    return relayServer == null ? -1 : relayServer.actualPort();
  }

  private void publishSelf(int port) {
    services.cluster().publish(new NodeInfo(config.nodeId(), address(), services.connections().count(), startedAt))
        .onFailure(e -> log.debug("directory entry not published: {}", e.toString()));
  }

  /** Where clients reach this node, as the directory says. */
  private String address() {
    String host = "0.0.0.0".equals(config.host()) ? config.cluster().host() : config.host();
    return (host == null || host.isBlank() ? "localhost" : host) + ":" + port;
  }

  /** What the operations console reads of this node. */
  private NodeFacts facts() {
    return new NodeFacts() {
      @Override
      public String address() {
        return NodeVerticle.this.address();
      }

      @Override
      public long startedAt() {
        return startedAt;
      }

      @Override
      public java.util.List<Integer> loopConnections() {
        return NodeVerticle.this.loopConnections();
      }

      @Override
      public String notReadyReason() {
        return NodeVerticle.this.notReadyReason();
      }

      @Override
      public boolean draining() {
        return draining;
      }

      @Override
      public Future<Void> drain(Duration window) {
        return NodeVerticle.this.drain(window);
      }
    };
  }

  private Future<Authenticator> authenticator() {
    if (customAuthenticator != null) {
      return Future.succeededFuture(customAuthenticator);
    }
    if (config.authEnabled() && !config.hasCredentials()) {
      return Future.failedFuture(config.sources().problem(ConfigOption.AUTH_ENABLED,
          "authentication is required but no credential is configured; set " + ConfigOption.AUTH_TOKEN.label() + ", "
          + ConfigOption.JWT_SECRET.label() + " or " + ConfigOption.JWT_PUBLIC_KEY.label()));
    }
    Future<JWTAuth> jwt = Future.succeededFuture();
    if (config.jwtSecret() != null) {
      jwt = Future.succeededFuture(JwtVerifiers.hs256(vertx, config.jwtSecret(), config.security()));
    } else if (config.jwtPublicKey() != null) {
      jwt = JwtVerifiers.publicKey(vertx, config.jwtPublicKey(), config.security());
    }
    return jwt.map(j -> new TokenAuthenticator(config.authEnabled(), config.authToken(), j, config.security()));
  }

  private String notReadyReason() {
    if (!started) {
      return "starting";
    }
    if (draining) {
      return "draining";
    }
    if (!services.broker().healthy()) {
      return "redis unreachable";
    }
    if (!services.cluster().joined()) {
      return "not joined to the cluster";
    }
    return null;
  }

  Context nodeContext() {
    return context;
  }

  NodeServices services() {
    return services;
  }

  int port() {
    return port;
  }

  /** Connections per event loop. Any thread. */
  java.util.List<Integer> loopConnections() {
    return loops.stream().map(LoopVerticle::connections).toList();
  }

  /** Marks the node not ready and closes every loop's connections with 1012 over {@code window}. */
  Future<Void> drain(Duration window) {
    draining = true;
    long spread = loops.stream().mapToLong(l -> WebSocketEndpoint.drainMillis(l.connections(), window)).max().orElse(0);
    log.info("draining {} connections: closing with 1012 over about {} ms (window {} ms, at most one tick per {} ms "
        + "per event loop)", services.connections().count(), spread, window.toMillis(), WebSocketEndpoint.DRAIN_TICK_MILLIS);
    return Future.all(loops.stream().map(l -> l.drain(window)).toList()).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    // The loops are child deployments of this verticle: Vert.x undeploys them first.
    Future<Void> closing = Future.succeededFuture();
    if (relaySocket != null) {
      closing = closing.eventually(relaySocket::stop);
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (services != null && services.rest().isPresent()) {
      RestRelay rest = services.rest().get();
      closing = closing.eventually(rest.tasks()::stop).eventually(rest.proxy()::close);
    }
    if (relayServer != null) {
      closing = closing.eventually(relayServer::close);
    }
    if (pusher != null) {
      pusher.close();
    }
    return closing.compose(v -> services == null ? Future.succeededFuture() : services.broker().close());
  }
}
