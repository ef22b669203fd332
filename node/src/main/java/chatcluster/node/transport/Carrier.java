package chatcluster.node.transport;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * What a {@link Connection} writes to and reads from when it is not a WebSocket: an HTTP fallback
 * session ({@link HttpFallback}), which carries whole text messages both ways.
 *
 * <p>Threading: confined to the event loop of the connection it carries.
 */
interface Carrier {
  /** Sends one whole text message. */
  void send(Buffer message);

  /** Whether the messages waiting to reach the client are at their bound. */
  boolean full();

  boolean isClosed();

  /** Keeps an idle client's receiving request alive (and tells it the session is). */
  void heartbeat();

  /** Ends the session with a close code the client reads; the close handler runs. */
  void close(int code, String reason);

  /** Where the client's messages go, whole, one at a time. */
  void messageHandler(Handler<String> handler);

  /** Runs whenever the client shows it is there (a request of its session), messages or not. */
  void activityHandler(Runnable handler);

  /** Runs once when the session ends, however it ends. */
  void closeHandler(Handler<Void> handler);
}
