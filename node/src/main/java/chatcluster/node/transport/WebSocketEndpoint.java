package chatcluster.node.transport;

import chatcluster.node.config.Ids;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.CloseCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's WebSocket side: the handshake (path, drain, origin, capacity), the heartbeat of
 * its connections, and draining them. What a connection says is the business of the session the
 * {@link Acceptor} puts on it.
 *
 * <p>Threading: confined to its loop's context; {@link ConnectionLimit} is the node-wide part.
 */
public final class WebSocketEndpoint {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
  /** The paths clients connect to. */
  public static final Set<String> PATHS = Set.of("/ws", "/wss");
  /** Drain closes a share of the connections every tick. */
  public static final long DRAIN_TICK_MILLIS = 100;

  /** Puts a session on an accepted connection. */
  public interface Acceptor {
    void accept(Connection connection, Handshake request);
  }

  private final Vertx vertx;
  private final NodeConfig config;
  private final NodeMetrics metrics;
  private final ConnectionLimit limit;
  private final ClientAddresses addresses;
  private final Acceptor acceptor;
  /** The loop's batch of fan-out writes, shared by the loop's endpoints. */
  private final FlushBatch batch;
  private final java.util.function.Predicate<String> paths;
  private final java.util.function.Consumer<Connection> drainClose;
  private final boolean batching;
  private final Set<Connection> connections = new LinkedHashSet<>();
  /** {@code connections.size()}, readable from other threads (metrics, tests). */
  private volatile int size;
  private volatile boolean draining;
  private long heartbeatTimer = -1;

  public WebSocketEndpoint(Vertx vertx, NodeConfig config, NodeMetrics metrics, ConnectionLimit limit,
                           ClientAddresses addresses, FlushBatch batch, Acceptor acceptor) {
    this(vertx, config, metrics, limit, addresses, batch, acceptor, PATHS::contains,
        c -> c.close(CloseCode.DRAINING, "node draining, reconnect elsewhere"), true);
  }

  /**
   * An endpoint for other paths (the Pusher adapter's {@code /app/{key}}): the same handshake checks,
   * limits, heartbeat and drain; {@code drainClose} closes one connection when the node drains.
   */
  public WebSocketEndpoint(Vertx vertx, NodeConfig config, NodeMetrics metrics, ConnectionLimit limit,
                           ClientAddresses addresses, FlushBatch batch, Acceptor acceptor,
                           java.util.function.Predicate<String> paths, java.util.function.Consumer<Connection> drainClose) {
    this(vertx, config, metrics, limit, addresses, batch, acceptor, paths, drainClose, false);
  }

  /** {@code batching}: whether a client may ask for several frames per WebSocket frame (the native protocol). */
  private WebSocketEndpoint(Vertx vertx, NodeConfig config, NodeMetrics metrics, ConnectionLimit limit,
                            ClientAddresses addresses, FlushBatch batch, Acceptor acceptor,
                            java.util.function.Predicate<String> paths, java.util.function.Consumer<Connection> drainClose,
                            boolean batching) {
    this.batching = batching;
    this.batch = batch;
    this.paths = paths;
    this.drainClose = drainClose;
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.limit = limit;
    this.addresses = addresses;
    this.acceptor = acceptor;
  }

  /** The server options the endpoint needs: sub-protocols, frame limits, TLS. */
  public static HttpServerOptions serverOptions(NodeConfig config) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        // The client's first offer that is one of these is selected. "*" makes the server echo a bare
        // token offered as the only sub-protocol (older clients).
        .setWebSocketSubProtocols(List.of(Handshake.SUBPROTOCOL, Handshake.SUBPROTOCOL_BATCH, "*"))
        // The decoder's hard cap drops the TCP connection without a close frame, so it sits well above
        // maxMessageSize: the session closes anything between the two with a proper 1009.
        .setMaxWebSocketFrameSize(decoderLimit(config))
        .setMaxWebSocketMessageSize(decoderLimit(config))
        .setWebSocketClosingTimeout(5)
        .setTcpNoDelay(config.tcpNoDelay())
        // A bounded kernel buffer (no autotuning to megabytes): sendQueueMax + this is what a slow
        // connection can hold, and the slow consumer is found once that is full.
        .setSendBufferSize(config.sendBuffer() > 0 ? config.sendBuffer() : -1)
        // Connections are confined to their event loop: no multi-producer write queue per connection.
        .setStrictThreadMode(true)
        // Compression would compress every fan-out frame once per connection.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    if (config.ssl()) {
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.sslCert().toString())
              .setKeyPath(config.sslKey().toString()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
      if (OpenSSLEngineOptions.isAvailable()) {
        // Native BoringSSL: a handshake costs a fraction of the JDK engine's CPU.
        options.setSslEngineOptions(new OpenSSLEngineOptions());
      } else {
        LoggerFactory.getLogger(WebSocketEndpoint.class).info("TLS with the JDK's engine (BoringSSL not loadable here)");
      }
    }
    return options;
  }

  static int decoderLimit(NodeConfig config) {
    return (int) Math.min(Integer.MAX_VALUE, 4L * config.maxMessageSize() + 4096);
  }

  public void handle(ServerWebSocketHandshake hs) {
    if (!paths.test(hs.path()) || !config.websocketEnabled()) {
      hs.reject(404);
      return;
    }
    if (draining) {
      hs.reject(503);
      return;
    }
    // Refused before the upgrade (no WebSocket is made): an allow/deny list miss is 403, a per-address
    // cap 429, so that a flood of reconnects costs one HTTP answer each.
    Handshake request = Handshake.read(hs, config);
    String refusal = addresses.tryOpen(request.remoteAddress(), System.nanoTime());
    if (refusal != null) {
      metrics.connectionsRefused.increment();
      log.info("refusing connection from {}: {}", request.remoteAddress(), refusal);
      hs.reject(refusal.startsWith("address") ? 403 : 429);
      return;
    }
    if (!request.originAllowed(config.allowedOrigins())) {
      addresses.closed(request.remoteAddress());
      log.info("refusing connection from {}: origin {} not allowed", request.remoteAddress(), request.origin());
      acceptAndClose(hs, CloseCode.POLICY, "origin not allowed");
      return;
    }
    if (!limit.tryAcquire()) {
      addresses.closed(request.remoteAddress());
      log.warn("refusing connection from {}: node full ({} clients)", request.remoteAddress(), config.maxClients());
      acceptAndClose(hs, CloseCode.NODE_FULL, "node full");
      return;
    }
    hs.accept().onComplete(ar -> {
      if (ar.failed()) {
        limit.release();
        addresses.closed(request.remoteAddress());
        log.debug("handshake from {} failed: {}", request.remoteAddress(), ar.cause().toString());
        return;
      }
      metrics.connectionsOpened.increment();
      log.debug("accepted connection from {} (credential: {})", request.remoteAddress(),
          request.token() == null ? "none" : "present");
      boolean batched = batching && (Handshake.SUBPROTOCOL_BATCH.equals(ar.result().subProtocol())
          || request.batchAsked());
      Connection[] self = new Connection[1];
      self[0] = new Connection(vertx, ar.result(), "s-" + Ids.random(16), request.remoteAddress(),
          config.sendQueueMax(), metrics, batch, batched, () -> closed(self[0], request));
      opened(self[0], request);
    });
  }

  /** An accepted connection joins the loop's set and gets its session. */
  private void opened(Connection connection, Handshake request) {
    connections.add(connection);
    size = connections.size();
    acceptor.accept(connection, request);
  }

  /** A connection ended: its place in the node and its address's count are free. */
  private void closed(Connection connection, Handshake request) {
    if (connections.remove(connection)) {
      size = connections.size();
      limit.release();
      addresses.closed(request.remoteAddress());
    }
  }

  /**
   * Takes an HTTP fallback session as a connection, with the same checks as an upgrade (drain, the
   * address lists and caps, Origin, the node's capacity): null when accepted, else the HTTP status
   * to refuse it with.
   */
  Integer acceptCarried(Carrier carrier, Handshake request) {
    if (draining) {
      return 503;
    }
    String refusal = addresses.tryOpen(request.remoteAddress(), System.nanoTime());
    if (refusal != null) {
      metrics.connectionsRefused.increment();
      log.info("refusing HTTP session from {}: {}", request.remoteAddress(), refusal);
      return refusal.startsWith("address") ? 403 : 429;
    }
    if (!request.originAllowed(config.allowedOrigins())) {
      addresses.closed(request.remoteAddress());
      log.info("refusing HTTP session from {}: origin {} not allowed", request.remoteAddress(), request.origin());
      return 403;
    }
    if (!limit.tryAcquire()) {
      addresses.closed(request.remoteAddress());
      log.warn("refusing HTTP session from {}: node full ({} clients)", request.remoteAddress(), config.maxClients());
      return 503;
    }
    metrics.connectionsOpened.increment();
    Connection[] self = new Connection[1];
    self[0] = new Connection(vertx, carrier, "s-" + Ids.random(16), request.remoteAddress(), metrics, batch,
        () -> closed(self[0], request));
    opened(self[0], request);
    return null;
  }

  /**
   * Refuses after the upgrade: browsers cannot read an HTTP status on a failed upgrade, a close code
   * tells them whether to retry.
   */
  private void acceptAndClose(ServerWebSocketHandshake hs, CloseCode code, String reason) {
    hs.accept().onSuccess(ws -> {
      ws.handler(b -> {}); // whatever the client sends meanwhile is ignored
      vertx.setTimer(Connection.REFUSAL_DELAY_MS, t -> ws.close(code.code(), reason));
    });
  }

  /** Connections open on this loop. Any thread. */
  public int size() {
    return size;
  }

  public void startHeartbeat() {
    long interval = config.pingInterval().toMillis();
    heartbeatTimer = vertx.setPeriodic(interval, t -> {
      long now = System.nanoTime();
      for (Connection c : List.copyOf(connections)) {
        c.heartbeat(now, interval * 1_000_000L);
      }
    });
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Connections closed per tick: at least one, and enough to close {@code count} within the window.
   * So a few connections close one per tick, well within the window; many are spread over all of it.
   */
  static int drainPerTick(int count, Duration window) {
    long ticks = Math.max(1, window.toMillis() / DRAIN_TICK_MILLIS);
    return (int) Math.max(1, (count + ticks - 1) / ticks);
  }

  /** How long draining {@code count} connections of one loop takes: the first tick is at once. */
  public static long drainMillis(int count, Duration window) {
    if (count == 0) {
      return 0;
    }
    int perTick = drainPerTick(count, window);
    return ((count + perTick - 1) / perTick - 1) * DRAIN_TICK_MILLIS;
  }

  /**
   * Stops accepting connections and closes every client with 1012, spread over {@code window} so that
   * they do not all reconnect elsewhere at once. Completes when all are closed, or at the latest one
   * closing timeout after the window.
   */
  public Future<Void> drain(Duration window) {
    draining = true;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    ArrayDeque<Connection> queue = new ArrayDeque<>(connections);
    Promise<Void> done = Promise.promise();
    if (queue.isEmpty()) {
      done.complete();
      return done.future();
    }
    int perTick = drainPerTick(queue.size(), window);
    long deadline = System.nanoTime() + window.plusSeconds(6).toNanos();
    vertx.setPeriodic(1, DRAIN_TICK_MILLIS, timer -> {
      for (int i = 0; i < perTick && !queue.isEmpty(); i++) {
        drainClose.accept(queue.poll());
      }
      if (connections.isEmpty() || System.nanoTime() > deadline) {
        vertx.cancelTimer(timer);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
