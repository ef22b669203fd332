package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.transport.Connection;
import chatcluster.node.transport.Handshake;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One event loop's side of the Pusher adapter: it accepts connections on {@code /app/{key}} (the
 * loop's second {@code WebSocketEndpoint} hands them over) and holds the loop's {@link PusherService},
 * which the loop's HTTP API uses too.
 *
 * <p>Threading: confined to its loop's context.
 */
public final class PusherLoop {
  /** The WebSocket path prefix; the rest of the path is the app key. */
  public static final String PATH_PREFIX = "/app/";
  /** Where pusher-js's HTTP fallback transports ({@code xhr_streaming}, {@code xhr_polling}) find a session. */
  public static final String HTTP_PATH_PREFIX = "/pusher/app/";
  /** Oldest protocol version accepted (pusher-js speaks 7). */
  static final int MIN_PROTOCOL = 5;

  private final PusherNode node;
  private final PusherService service;

  PusherLoop(PusherNode node, PusherService service) {
    this.node = node;
    this.service = service;
  }

  PusherService service() {
    return service;
  }

  /** Whether a WebSocket upgrade on {@code path} is the adapter's. */
  public static boolean isPusherPath(String path) {
    return path.startsWith(PATH_PREFIX) && path.length() > PATH_PREFIX.length()
        && path.indexOf('/', PATH_PREFIX.length()) < 0;
  }

  /**
   * Starts a session on an accepted connection; an unknown key or an old protocol gets Pusher's
   * error and close (4001, 4007).
   */
  public void accept(Connection connection, Handshake request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String key = uri.path().substring(PATH_PREFIX.length());
    PusherApp app = node.appByKey(key);
    PusherSession session = new PusherSession(this, app != null ? app : PLACEHOLDER, connection, socketId());
    if (app == null) {
      session.fail(4001, "App key " + key + " not in this cluster");
      return;
    }
    Integer protocol = protocol(uri.parameters());
    if (protocol != null && protocol < MIN_PROTOCOL) {
      session.fail(4007, "Unsupported protocol version " + protocol);
      return;
    }
    session.start();
  }

  /** Stands in for an unknown app while the refusal is sent; it has no channels. */
  private static final PusherApp PLACEHOLDER = new PusherApp("unknown", "unknown", "unknown", false, 0, List.of());

  private static Integer protocol(Map<String, List<String>> query) {
    List<String> values = query.get("protocol");
    try {
      return values == null || values.isEmpty() ? null : Integer.valueOf(values.get(0));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Pusher's socket id form: two numbers joined by a dot. */
  static String socketId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return r.nextLong(1_000_000_000L, 10_000_000_000L) + "." + r.nextLong(1_000_000_000L, 10_000_000_000L);
  }

  /** A node drain closes a Pusher connection with 4200: reconnect at once (to another node). */
  public static void drainClose(Connection connection) {
    connection.send(PusherFrames.error(4200, "Node draining, reconnect now"));
    connection.close(4200, "node draining, reconnect now");
  }
}
