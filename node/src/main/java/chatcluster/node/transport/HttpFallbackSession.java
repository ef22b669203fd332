package chatcluster.node.transport;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * One HTTP fallback session: a {@link Carrier} whose messages to the client wait for its receiving
 * request ({@code xhr_streaming}: one response that stays open, a line per write; {@code xhr}: one
 * response per poll) and whose messages from the client come in {@code xhr_send} requests.
 *
 * <p><b>Framing</b> (SockJS's, as pusher-js reads it): each line of a receiving response is {@code o}
 * (the session is open), {@code a[…]} (messages, each a JSON string), {@code h} (heartbeat) or
 * {@code c[code,"reason"]} (closed); an {@code xhr_send} body is a JSON array of strings.
 *
 * <p><b>Bounds.</b> Messages waiting for a receiving request count against {@code maxBytes}
 * ({@code sendQueueMax}); past it the connection is a slow consumer, as a WebSocket's would be. A
 * session without a receiving request for {@link #DISCONNECT_DELAY_MS} is over: its connection closes
 * and its place is free. A closed session stays findable for that long so that the client's next
 * request reads the close code.
 *
 * <p>Threading: confined to the event loop that made it ({@link #context}). Requests that arrive on
 * other loops hop here; each response is written on its own loop (the server's strict thread mode).
 */
final class HttpFallbackSession implements Carrier {
  /** How long a session waits for its client's next receiving request. */
  static final long DISCONNECT_DELAY_MS = 5000;
  /** How long a poll is held open when there is nothing to send. */
  static final long POLL_HOLD_MS = 25_000;

  final Context context;
  private final Vertx vertx;
  private final Map<String, HttpFallbackSession> registry;
  private final String key;
  private final int maxBytes;
  private final ArrayDeque<String> waiting = new ArrayDeque<>();
  private long waitingBytes;
  private Receiver receiver;
  private boolean opened;
  private boolean closed;
  private String closeLine;
  private long orphanTimer = -1;
  private Handler<String> messages = m -> { };
  private Runnable activity = () -> { };
  /** Bytes handed to a streaming response's loop and not yet written to its socket (any thread). */
  private final java.util.concurrent.atomic.AtomicLong inFlight = new java.util.concurrent.atomic.AtomicLong();
  /** The client's address as the session's first request gave it: other addresses may not use the session. */
  final String client;
  private Handler<Void> onClose = v -> { };

  /** A client's request that receives: its response and the loop that response is written on. */
  private static final class Receiver {
    final HttpServerResponse response;
    final Context context;
    final boolean streaming;
    long holdTimer = -1;

    Receiver(HttpServerResponse response, Context context, boolean streaming) {
      this.response = response;
      this.context = context;
      this.streaming = streaming;
    }

    void write(String text, boolean end, java.util.concurrent.atomic.AtomicLong inFlight) {
      int bytes = text.length();
      inFlight.addAndGet(bytes);
      Runnable w = () -> {
        if (response.closed() || response.ended()) {
          inFlight.addAndGet(-bytes);
          return;
        }
        try {
          (end ? response.end(text) : response.write(text)).onComplete(ar -> inFlight.addAndGet(-bytes));
        } catch (IllegalStateException gone) {
          inFlight.addAndGet(-bytes); // the client went away meanwhile: its next request (or none) decides
        }
      };
      if (Vertx.currentContext() == context) {
        w.run();
      } else {
        context.runOnContext(v -> w.run());
      }
    }
  }

  HttpFallbackSession(Vertx vertx, Map<String, HttpFallbackSession> registry, String key, int maxBytes,
                      String client) {
    this.client = client;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.registry = registry;
    this.key = key;
    this.maxBytes = maxBytes;
  }

  /**
   * A receiving request arrived (on its own loop {@code at}, which watches the response's close and
   * tells {@link #gone}); called on this session's loop.
   */
  void receive(HttpServerResponse response, Context at, boolean streaming) {
    activity.run();
    cancelOrphanTimer();
    if (receiver != null) {
      receiver.write("", true, inFlight); // the client gave it up for this one
      cancelHold(receiver);
    }
    Receiver r = new Receiver(response, at, streaming);
    receiver = r;
    if (!opened) {
      opened = true;
      line(r, "o\n");
      if (!streaming) {
        return;
      }
    }
    flush();
    if (receiver == r && !streaming) {
      r.holdTimer = vertx.setTimer(POLL_HOLD_MS, t -> {
        if (receiver == r) {
          line(r, "h\n");
        }
      });
    }
  }

  /** The client's messages ({@code xhr_send}); called on this session's loop. */
  void received(Iterable<String> sent) {
    if (closed) {
      return;
    }
    activity.run();
    for (String message : sent) {
      messages.handle(message);
      if (closed) {
        return;
      }
    }
  }

  /** Writes lines to a receiver; a poll's response ends with them, a streaming one with a close. */
  private void line(Receiver r, String text) {
    boolean end = !r.streaming || closeLine != null && text.endsWith(closeLine);
    r.write(text, end, inFlight);
    if (end) {
      detach(r);
    }
  }

  private void flush() {
    Receiver r = receiver;
    if (r == null || waiting.isEmpty() && closeLine == null) {
      return;
    }
    StringBuilder out = new StringBuilder(16 + (int) waitingBytes);
    if (!waiting.isEmpty()) {
      out.append("a[");
      boolean first = true;
      while (!waiting.isEmpty()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(waiting.poll());
      }
      waitingBytes = 0;
      out.append("]\n");
    }
    if (closeLine != null) {
      out.append(closeLine);
    }
    line(r, out.toString());
  }

  private void detach(Receiver r) {
    cancelHold(r);
    if (receiver == r) {
      receiver = null;
      startOrphanTimer();
    }
  }

  /** A receiving response closed under us (the client aborted it, or it ended); on this session's loop. */
  void gone(HttpServerResponse response) {
    Receiver r = receiver;
    if (r != null && r.response == response) {
      detach(r);
    }
  }

  private void cancelHold(Receiver r) {
    if (r.holdTimer >= 0) {
      vertx.cancelTimer(r.holdTimer);
      r.holdTimer = -1;
    }
  }

  private void startOrphanTimer() {
    cancelOrphanTimer();
    orphanTimer = vertx.setTimer(DISCONNECT_DELAY_MS, t -> {
      orphanTimer = -1;
      if (receiver == null) {
        registry.remove(key, this);
        end();
      }
    });
  }

  private void cancelOrphanTimer() {
    if (orphanTimer >= 0) {
      vertx.cancelTimer(orphanTimer);
      orphanTimer = -1;
    }
  }

  private void end() {
    if (!closed) {
      closed = true;
      waiting.clear();
      waitingBytes = 0;
      onClose.handle(null);
    }
  }

  // ------------------------------------------------------------------ Carrier

  @Override
  public void send(Buffer message) {
    if (closed) {
      return;
    }
    String encoded = Json.encode(message.toString());
    if (receiver != null && receiver.streaming && waiting.isEmpty()) {
      receiver.write("a[" + encoded + "]\n", false, inFlight);
      return;
    }
    waiting.add(encoded);
    waitingBytes += encoded.length();
    if (receiver != null && !receiver.streaming && waiting.size() == 1) {
      context.runOnContext(v -> flush()); // what else this turn writes goes in the same poll answer
    }
  }

  @Override
  public boolean full() {
    return waitingBytes + inFlight.get() >= maxBytes;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void heartbeat() {
    if (receiver != null) {
      line(receiver, "h\n");
    }
  }

  @Override
  public void close(int code, String reason) {
    if (closed) {
      return;
    }
    closeLine = "c[" + code + "," + Json.encode(reason) + "]\n";
    if (receiver != null) {
      flush();
    }
    // The session stays findable until the client's next request has read the close (or it is gone).
    if (receiver == null) {
      startOrphanTimer();
    }
    Handler<Void> h = onClose;
    closed = true;
    h.handle(null);
  }

  @Override
  public void messageHandler(Handler<String> handler) {
    this.messages = handler;
  }

  @Override
  public void activityHandler(Runnable handler) {
    this.activity = handler;
  }

  @Override
  public void closeHandler(Handler<Void> handler) {
    this.onClose = handler;
  }
}
