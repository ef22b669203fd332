package chatcluster.node;

import chatcluster.cluster.ClusterState;
import chatcluster.cluster.LocalClusterState;
import chatcluster.cluster.MembershipChange;
import chatcluster.cluster.NodeInfo;
import chatcluster.node.api.ApiProxy;
import chatcluster.node.tasks.FileTaskStore;
import chatcluster.node.api.TaskScheduler;
import chatcluster.node.tasks.TaskStore;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.auth.JwtVerifiers;
import chatcluster.node.auth.TokenAuthenticator;
import chatcluster.node.broker.Broker;
import chatcluster.node.channel.Delivery;
import chatcluster.node.broker.Direct;
import chatcluster.node.broker.LocalBroker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.channel.ChannelRegistry;
import chatcluster.node.config.ConfigException;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.history.LocalHistoryStore;
import chatcluster.node.presence.PresenceStore;
import chatcluster.node.broker.RedisBroker;
import chatcluster.node.relay.HttpRelayApi;
import chatcluster.node.relay.RelayService;
import chatcluster.node.relay.UnixSocketRelayEndpoint;
import chatcluster.node.cluster.RedisClusterState;
import chatcluster.node.redis.RedisKeys;
import chatcluster.node.presence.RedisPresenceStore;
import chatcluster.node.tasks.RedisTaskStore;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.ops.HealthRoutes;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.ops.PrometheusMetrics;
import chatcluster.node.presence.LocalPresenceStore;
import chatcluster.node.session.ClientSession;
import chatcluster.node.session.NodeServices;
import chatcluster.node.session.SessionRegistry;
import chatcluster.node.transport.WebSocketEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node on one event loop: every session, channel and store of the node lives on this verticle's
 * context, so none of them needs a lock. A node scales out by adding nodes, not threads.
 */
final class NodeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(NodeVerticle.class);

  private final NodeConfig config;
  private final ChannelCatalog catalog;
  private final NodeHooks hooks;
  private final NodeMetrics metrics;
  private final Authenticator customAuthenticator;
  private final ClusterState hazelcast;
  private final long started = System.currentTimeMillis();
  private NodeServices services;
  private UnixSocketRelayEndpoint relaySocket;
  private PrometheusMetrics prometheus;
  private HttpServer relayServer;
  private WebSocketEndpoint endpoint;
  private HttpServer server;

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
      Broker broker;
      HistoryStore history;
      PresenceStore presence;
      ClusterState cluster;
      if (config.clustered()) {
        RedisKeys keys = new RedisKeys(config.redisPrefix());
        RedisBroker redis = new RedisBroker(vertx, config.redisUrls(), keys, config.nodeId(), catalog::resolve,
            metrics);
        broker = redis;
        history = redis.history();
        presence = new RedisPresenceStore(redis.shards(), keys, config.nodeId());
        if (hazelcast != null) {
          cluster = hazelcast;
          // Hazelcast notices a dead member within seconds: clean its Redis state at once.
          hazelcast.onMembership(change -> {
            if (change.kind() == MembershipChange.Kind.LEFT && change.nodeId() != null) {
              redis.registry().cleanUpAfter(change.nodeId());
            }
          });
        } else {
          RedisClusterState redisState = new RedisClusterState(redis.shards(), keys, config.nodeId());
          redis.registry().onNodeGone(redisState::nodeLeft);
          cluster = redisState;
        }
      } else {
        LocalHistoryStore localHistory = new LocalHistoryStore(System::currentTimeMillis);
        vertx.setPeriodic(60_000, t -> localHistory.sweep());
        broker = new LocalBroker(localHistory);
        history = localHistory;
        presence = new LocalPresenceStore();
        cluster = new LocalClusterState(config.nodeId());
      }
      SessionRegistry sessions = new SessionRegistry();
      ChannelRegistry channels = new ChannelRegistry(broker);
      ApiProxy api = null;
      TaskScheduler scheduler = null;
      Future<Void> taskStoreReady = Future.succeededFuture();
      if (config.api().enabled()) {
        api = new ApiProxy(vertx, config.api(), config.nodeId());
        TaskStore store;
        if (broker instanceof RedisBroker redis) {
          store = new RedisTaskStore(redis.shards(), new RedisKeys(config.redisPrefix()));
        } else {
          FileTaskStore file = new FileTaskStore(vertx, config.api().tasksFile());
          taskStoreReady = file.load();
          store = file;
        }
        scheduler = new TaskScheduler(vertx, api, store, cluster, broker);
      }
      services = new NodeServices(vertx, config, config.nodeId(), catalog, channels, sessions, broker, history,
          presence, cluster, authenticator, hooks, metrics, api, scheduler);
      broker.onDelivery(d -> deliver(d, sessions, channels));
      broker.onDirect(d -> deliverDirect(d, sessions));
      broker.onDeviceCommand(c -> {
        List<ClientSession> targets = sessions.byDevice(c.device()).stream().filter(ClientSession::isOpen).toList();
        targets.forEach(s -> s.apply(c));
        return targets.size();
      });

      endpoint = new WebSocketEndpoint(services);
      Router router = Router.router(vertx);
      HealthRoutes.mount(router, this::notReadyReason);
      prometheus = new PrometheusMetrics(config.nodeId(), metrics, sessions::size, () -> channels.channels().size(),
          () -> notReadyReason() == null);
      prometheus.mount(router);
      RelayService relay = new RelayService(services);
      Router apiRouter = null;
      if (config.relayApiKey() != null) {
        apiRouter = config.relayHttpPort() == null ? router : Router.router(vertx);
        new HttpRelayApi(services, relay, config.relayApiKey(), config.relayMaxBody()).mount(apiRouter);
      }
      server = vertx.createHttpServer(WebSocketEndpoint.serverOptions(config))
          .webSocketHandshakeHandler(endpoint::handle)
          .requestHandler(router);
      Router separateApi = config.relayHttpPort() == null ? null : apiRouter;
      Future<Void> tasksLoaded = taskStoreReady;
      return broker.start()
          .compose(v -> tasksLoaded)
          .compose(v -> startRelay(relay, separateApi))
          .compose(v -> server.listen());
    }).onSuccess(s -> {
      endpoint.startHeartbeat();
      if (services.tasks() != null) {
        services.tasks().start();
        log.info("REST relay to {} (scheduled tasks in {})", config.api().baseUrl(),
            config.clustered() ? "Redis" : config.api().tasksFile());
      }
      publishSelf(s.actualPort());
      vertx.setPeriodic(DIRECTORY_PERIOD_MS, t -> publishSelf(s.actualPort()));
      String scheme = config.ssl() ? "wss" : "ws";
      log.info("ChatCluster node {} serving {}://{}:{}/ws (health: {}://{}:{}/health/ready)", config.nodeId(), scheme,
          config.host(), s.actualPort(), config.ssl() ? "https" : "http", config.host(), s.actualPort());
    });
  }

  private static final long DIRECTORY_PERIOD_MS = 5000;

  /** The Unix socket relay and, when it has a port of its own, the HTTP API's server. */
  private Future<Void> startRelay(RelayService relay, Router separateApi) {
    Future<Void> f = Future.succeededFuture();
    if (config.relaySocket() != null) {
      relaySocket = new UnixSocketRelayEndpoint(vertx, relay, config.relaySocket(), config.relayMaxBody());
      f = relaySocket.start();
    }
    if (separateApi != null) {
      f = f.compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
          .setPort(config.relayHttpPort())).requestHandler(separateApi).listen()).map(s -> {
            relayServer = s;
            log.info("backend HTTP API on http://{}:{}/api/", config.host(), s.actualPort());
            return null;
          });
    } else if (config.relayApiKey() != null) {
      log.info("backend HTTP API on the WebSocket port, under /api/");
    }
    return f;
  }

  int relayHttpPort() {
    return relayServer == null ? -1 : relayServer.actualPort();
  }

  private void publishSelf(int port) {
    String host = "0.0.0.0".equals(config.host()) ? config.cluster().host() : config.host();
    services.cluster().publish(new NodeInfo(config.nodeId(), (host == null || host.isBlank() ? "localhost" : host)
        + ":" + port, services.sessions().size(), started))
        .onFailure(e -> log.debug("directory entry not published: {}", e.toString()));
  }

  private static void deliver(Delivery d, SessionRegistry sessions, ChannelRegistry channels) {
    if (d.everyone()) {
      for (ClientSession s : sessions.all()) {
        s.deliver(d);
      }
    } else {
      channels.deliver(d);
    }
  }

  /** A direct frame to this node's connections of a user or device; returns how many got it. */
  private static int deliverDirect(Direct d, SessionRegistry sessions) {
    List<ClientSession> targets = d.user() != null ? sessions.byUser(d.user()) : sessions.byDevice(d.device());
    int delivered = 0;
    for (ClientSession s : targets) {
      if (s.isOpen()) {
        s.deliver(Delivery.unordered(null, d.frame()));
        delivered++;
      }
    }
    return delivered;
  }

  private Future<Authenticator> authenticator() {
    if (customAuthenticator != null) {
      return Future.succeededFuture(customAuthenticator);
    }
    if (config.authEnabled() && !config.hasCredentials()) {
      return Future.failedFuture(new ConfigException(ConfigOption.AUTH_ENABLED.label()
          + ": authentication is required but no credential is configured; set " + ConfigOption.AUTH_TOKEN.env() + ", "
          + ConfigOption.JWT_SECRET.env() + " or " + ConfigOption.JWT_PUBLIC_KEY.env()));
    }
    Future<JWTAuth> jwt = Future.succeededFuture();
    if (config.jwtSecret() != null) {
      jwt = Future.succeededFuture(JwtVerifiers.hs256(vertx, config.jwtSecret()));
    } else if (config.jwtPublicKey() != null) {
      jwt = JwtVerifiers.publicKey(vertx, config.jwtPublicKey());
    }
    return jwt.map(j -> new TokenAuthenticator(config.authEnabled(), config.authToken(), j));
  }

  private String notReadyReason() {
    if (endpoint == null) {
      return "starting";
    }
    if (endpoint.draining()) {
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
    return server == null ? -1 : server.actualPort();
  }

  Future<Void> drain(Duration window) {
    return endpoint.drain(window);
  }

  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    if (relaySocket != null) {
      closing = closing.eventually(relaySocket::stop);
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (services != null && services.tasks() != null) {
      closing = closing.eventually(services.tasks()::stop).eventually(services.api()::close);
    }
    if (relayServer != null) {
      closing = closing.eventually(relayServer::close);
    }
    return closing.compose(v -> services == null ? Future.succeededFuture() : services.broker().close());
  }
}
