package chatcluster.node.transport;

import chatcluster.node.config.Ids;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.session.ClientSession;
import chatcluster.node.session.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the node: the WebSocket handshake (path, drain, origin, capacity, credential),
 * the heartbeat, and draining. Frames are the session's business.
 */
public final class WebSocketEndpoint {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
  private static final Set<String> PATHS = Set.of("/ws", "/wss");
  private static final long DRAIN_TICK_MILLIS = 100;

  private final NodeServices node;
  private int accepting;
  private boolean draining;
  private long heartbeatTimer = -1;

  public WebSocketEndpoint(NodeServices node) {
    this.node = node;
  }

  /** The server options the endpoint needs: sub-protocols, frame limits, TLS. */
  public static HttpServerOptions serverOptions(NodeConfig config) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        // "*" makes the server echo a bare token offered as the only sub-protocol (older clients).
        .setWebSocketSubProtocols(List.of(Handshake.SUBPROTOCOL, "*"))
        // The decoder's hard cap drops the TCP connection without a close frame, so it sits well above
        // maxMessageSize: the session closes anything between the two with a proper 1009.
        .setMaxWebSocketFrameSize(decoderLimit(config))
        .setMaxWebSocketMessageSize(decoderLimit(config))
        .setWebSocketClosingTimeout(5)
        // Compression would compress every fan-out frame once per connection.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    if (config.ssl()) {
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.sslCert().toString())
              .setKeyPath(config.sslKey().toString()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    }
    return options;
  }

  static int decoderLimit(NodeConfig config) {
    return (int) Math.min(Integer.MAX_VALUE, 4L * config.maxMessageSize() + 4096);
  }

  public void handle(ServerWebSocketHandshake hs) {
    if (!PATHS.contains(hs.path())) {
      hs.reject(404);
      return;
    }
    if (draining) {
      hs.reject(503);
      return;
    }
    NodeConfig config = node.config();
    Handshake request = Handshake.read(hs, config);
    if (!request.originAllowed(config.allowedOrigins())) {
      log.info("refusing connection from {}: origin {} not allowed", request.remoteAddress(), request.origin());
      acceptAndClose(hs, CloseCode.POLICY, "origin not allowed");
      return;
    }
    if (node.sessions().size() + accepting >= config.maxClients()) {
      log.warn("refusing connection from {}: node full ({} clients)", request.remoteAddress(), config.maxClients());
      acceptAndClose(hs, CloseCode.NODE_FULL, "node full");
      return;
    }
    accepting++;
    hs.accept().onComplete(ar -> {
      accepting--;
      if (ar.failed()) {
        log.debug("handshake from {} failed: {}", request.remoteAddress(), ar.cause().toString());
        return;
      }
      node.metrics().connectionsOpened.increment();
      log.debug("accepted connection from {} (credential: {})", request.remoteAddress(),
          request.token() == null ? "none" : "present");
      ClientSession session = new ClientSession(node, ar.result(), "s-" + Ids.random(16), request.remoteAddress(),
          hs.headers(), request.user(), request.device());
      if (request.token() == null && config.authEnabled()) {
        session.awaitAuth();
      } else {
        session.authenticate(request.token());
      }
    });
  }

  /**
   * Refuses after the upgrade: browsers cannot read an HTTP status on a failed upgrade, a close code
   * tells them whether to retry. The close follows the upgrade by {@link #REFUSAL_DELAY_MS}: a close
   * frame in the same read as the 101 makes some clients (Vert.x's) fail the connect without the code.
   */
  private void acceptAndClose(ServerWebSocketHandshake hs, CloseCode code, String reason) {
    hs.accept().onSuccess(ws -> {
      ws.handler(b -> {}); // whatever the client sends meanwhile is ignored
      node.vertx().setTimer(REFUSAL_DELAY_MS, t -> ws.close(code.code(), reason));
    });
  }

  public static final long REFUSAL_DELAY_MS = 50;

  public void startHeartbeat() {
    long interval = node.config().pingInterval().toMillis();
    heartbeatTimer = node.vertx().setPeriodic(interval, t -> {
      long now = System.nanoTime();
      for (ClientSession s : node.sessions().all()) {
        s.heartbeat(now, interval * 1_000_000L);
      }
    });
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Stops accepting connections and closes every client with 1012, spread over {@code window} so that
   * they do not all reconnect elsewhere at once. Completes when all are closed, or at the latest one
   * closing timeout after the window.
   */
  public Future<Void> drain(Duration window) {
    draining = true;
    if (heartbeatTimer >= 0) {
      node.vertx().cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    ArrayDeque<ClientSession> queue = new ArrayDeque<>(node.sessions().all());
    log.info("draining {} connections over {} ms", queue.size(), window.toMillis());
    Promise<Void> done = Promise.promise();
    if (queue.isEmpty()) {
      done.complete();
      return done.future();
    }
    long ticks = Math.max(1, window.toMillis() / DRAIN_TICK_MILLIS);
    int perTick = (int) Math.max(1, (queue.size() + ticks - 1) / ticks);
    long deadline = System.nanoTime() + window.plusSeconds(6).toNanos();
    node.vertx().setPeriodic(1, DRAIN_TICK_MILLIS, timer -> {
      for (int i = 0; i < perTick && !queue.isEmpty(); i++) {
        queue.poll().closeWith(CloseCode.DRAINING, "node draining, reconnect elsewhere");
      }
      if (node.sessions().size() == 0 || System.nanoTime() > deadline) {
        node.vertx().cancelTimer(timer);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
