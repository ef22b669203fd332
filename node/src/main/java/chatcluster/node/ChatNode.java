package chatcluster.node;


import chatcluster.cluster.ClusterBootstrap;
import chatcluster.cluster.ClusterState;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.channel.ChannelDeclaration;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.hooks.ConnectionHook;
import chatcluster.node.hooks.EventHandler;
import chatcluster.node.hooks.MessageHook;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A ChatCluster node, embeddable in a Java application.
 *
 * <pre>{@code
 * ChatNode node = ChatNode.builder()
 *     .config(NodeConfig.builder().set(ConfigOption.PORT, 9000).build())
 *     .build();
 * node.createChannel("general", ChannelOptions.builder().persistent(true).build());
 * node.onMessageReceived("general", msg -> msg.data() == null
 *     ? Future.failedFuture(new ChatException(ErrorCode.BAD_REQUEST, "empty message"))
 *     : Future.succeededFuture());
 * node.start().await();
 * node.broadcast("general", new JsonObject().put("text", "hello from the server"));
 * }</pre>
 *
 * <p>Hooks and handlers may be registered before or after {@link #start()}; they run on the event
 * loop of the connection concerned (a node has several) and must not block; complete their Futures on
 * that loop or from any thread. Every method is thread-safe; {@link #broadcast(String, Object)} calls
 * made from one thread are published in call order.
 */
public final class ChatNode {
  private final NodeConfig config;
  private final Vertx providedVertx;
  private final ChannelCatalog catalog;
  private final NodeHooks hooks = new NodeHooks();
  private final NodeMetrics metrics = new NodeMetrics();
  private final Authenticator authenticator;
  private Vertx vertx;
  private ClusterState clusterState;
  private NodeVerticle verticle;
  private Context context;

  private ChatNode(Builder b) {
    this.config = b.config != null ? b.config : NodeConfig.defaults();
    this.providedVertx = b.vertx;
    this.authenticator = b.authenticator;
    this.catalog = new ChannelCatalog(config.channels(), config.dynamicChannels());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the node: binds its port and serves {@code /ws}, {@code /wss} and {@code /health/*}. */
  public synchronized Future<Void> start() {
    if (verticle != null) {
      return Future.failedFuture(new IllegalStateException("node already started"));
    }
    Future<Vertx> runtime;
    if (providedVertx != null) {
      runtime = Future.succeededFuture(providedVertx);
    } else if (config.cluster().enabled()) {
      runtime = ClusterBootstrap.start(config.cluster(), vertxOptions()).map(c -> {
        clusterState = c.state();
        return c.vertx();
      });
    } else {
      runtime = Future.succeededFuture(Vertx.vertx(vertxOptions()));
    }
    return runtime.compose(v -> {
      vertx = v;
      verticle = new NodeVerticle(config, catalog, hooks, metrics, authenticator, clusterState);
      return vertx.deployVerticle(verticle).<Void>mapEmpty()
          .onSuccess(x -> context = verticle.nodeContext())
          .recover(e -> {
            verticle = null;
            if (providedVertx == null) {
              // Not chained: its completion could not be delivered on the event loop it closes.
              vertx.close();
            }
            return Future.failedFuture(e);
          });
    });
  }

  /** One event loop thread per connection loop (the node's own context shares the first). */
  private VertxOptions vertxOptions() {
    return new VertxOptions().setEventLoopPoolSize(config.eventLoopCount()).setPreferNativeTransport(true);
  }

  /**
   * Drains: marks the node not ready, refuses new connections and closes every client with 1012
   * over the configured drain window. The node keeps running until {@link #stop()}.
   */
  public Future<Void> drain() {
    return drain(config.drainTimeout());
  }

  public Future<Void> drain(Duration window) {
    return onNode(v -> v.drain(window));
  }

  /** Stops the node; closes the Vert.x instance it created (not one that was given to it). */
  public synchronized Future<Void> stop() {
    if (verticle == null) {
      return Future.succeededFuture();
    }
    NodeVerticle v = verticle;
    verticle = null;
    context = null;
    if (providedVertx == null) {
      CompletableFuture<Void> left = clusterState == null ? CompletableFuture.completedFuture(null)
          : clusterState.close().toCompletionStage().toCompletableFuture().exceptionally(e -> null);
      // vertx.close() from a pool thread, not from a Vert.x callback: its completion could not be
      // delivered on an event loop that the close itself shuts down.
      Vertx closing = vertx;
      return Future.fromCompletionStage(left.thenComposeAsync(ignored -> closing.close().toCompletionStage()));
    }
    return v.deploymentID() == null ? Future.succeededFuture() : vertx.undeploy(v.deploymentID());
  }

  /** Declares a channel (exact name or {@code prefix*} pattern) with its options; replaces an earlier one. */
  public ChatNode createChannel(String name, ChannelOptions options) {
    catalog.declare(new ChannelDeclaration(name, options));
    return this;
  }

  /** Publishes {@code data} on {@code channel} as the server: every subscriber gets a {@code message}. */
  public Future<Long> broadcast(String channel, Object data) {
    return onNode(v -> v.services().outbound().publish(channel, catalog.resolve(channel), data, Sender.SERVER));
  }

  /** Sends {@code data} to every connection of the cluster as a {@code broadcast} frame. */
  public Future<Void> broadcast(Object data) {
    return onNode(v -> v.services().outbound().broadcast(data));
  }

  /** {@code connection.open}: after authentication, before the welcome; a failure closes the connection. */
  public ChatNode onConnectionOpen(ConnectionHook hook) {
    hooks.onConnectionOpen(hook);
    return this;
  }

  /** {@code connection.close}: after a connection closed and left its channels. */
  public ChatNode onConnectionClose(ConnectionHook hook) {
    hooks.onConnectionClose(hook);
    return this;
  }

  /** {@code message.received} for every channel; a failure rejects the message. */
  public ChatNode onMessageReceived(MessageHook hook) {
    hooks.onMessageReceived(hook);
    return this;
  }

  /** {@code message.received} for one channel (exact name), after the global hooks. */
  public ChatNode onMessageReceived(String channel, MessageHook hook) {
    hooks.onMessageReceived(channel, hook);
    return this;
  }

  /** Handles client {@code event}s called {@code name}. */
  public ChatNode onEvent(String name, EventHandler handler) {
    hooks.onEvent(name, handler);
    return this;
  }

  public NodeConfig config() {
    return config;
  }

  public String id() {
    return config.nodeId();
  }

  /** The port the node listens on (useful with port 0), or -1 before start. */
  public int port() {
    NodeVerticle v = verticle;
    return v == null ? -1 : v.port();
  }

  /** The port of the backend HTTP API when it has its own (RELAY_HTTP_PORT), else -1. */
  public int relayHttpPort() {
    NodeVerticle v = verticle;
    return v == null ? -1 : v.relayHttpPort();
  }

  /** Open connections on each of the node's event loops (empty before start). */
  public java.util.List<Integer> loopConnections() {
    NodeVerticle v = verticle;
    return v == null ? java.util.List.of() : v.loopConnections();
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public Vertx vertx() {
    return vertx;
  }

  private <T> Future<T> onNode(Function<NodeVerticle, Future<T>> action) {
    NodeVerticle v = verticle;
    Context ctx = context;
    if (v == null || ctx == null) {
      return Future.failedFuture(new IllegalStateException("node is not started"));
    }
    Promise<T> promise = Promise.promise();
    ctx.runOnContext(x -> {
      try {
        action.apply(v).onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /** Builds a {@link ChatNode}. */
  public static final class Builder {
    private NodeConfig config;
    private Vertx vertx;
    private Authenticator authenticator;

    public Builder config(NodeConfig config) {
      this.config = config;
      return this;
    }

    /** Runs the node on an existing Vert.x instance (it is not closed by {@link ChatNode#stop()}). */
    public Builder vertx(Vertx vertx) {
      this.vertx = vertx;
      return this;
    }

    /** Replaces the token and JWT checks with the application's own. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    public ChatNode build() {
      return new ChatNode(this);
    }
  }
}
