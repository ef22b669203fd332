package chatcluster.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests, with blocking helpers that always time out: every frame the
 * server sends is kept until a test takes it.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();
  /** When each frame arrived (System.nanoTime), for latency measurements. Guarded by {@code frames}. */
  private final java.util.Map<JsonObject, Long> receivedAt = new java.util.IdentityHashMap<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  /** WebSocket messages received, and those of them that carried more than one frame. Guarded by {@code frames}. */
  private int messages;
  private int joinedMessages;
  private int largestMessage;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile io.vertx.core.MultiMap handshakeHeaders = io.vertx.core.MultiMap.caseInsensitiveMultiMap();

  private WsClient(WebSocketClient client, ClientWebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> {
      long now = System.nanoTime();
      synchronized (frames) {
        // A batched connection's message may carry several frames, one per line (docs/protocol.md).
        int lines = 0;
        for (String line : text.split("\n")) {
          JsonObject frame = new JsonObject(line);
          frames.add(frame);
          receivedAt.put(frame, now);
          lines++;
        }
        messages++;
        largestMessage = Math.max(largestMessage, text.length());
        if (lines > 1) {
          joinedMessages++;
        }
        frames.notifyAll();
      }
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
  }

  /** Options to connect with; {@link #connect()} opens the connection. */
  public static Builder to(Vertx vertx, int port) {
    return new Builder(vertx, port);
  }

  public String subprotocol() {
    return ws.subProtocol();
  }

  /** Headers of the server's handshake response (the 101), e.g. a Set-Cookie from a proxy. */
  public io.vertx.core.MultiMap handshakeHeaders() {
    return handshakeHeaders;
  }

  public void send(JsonObject frame) {
    sendText(frame.encode());
  }

  public void sendText(String text) {
    ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().join();
  }

  /** Sends unless the connection is closed; returns whether it was sent. */
  public boolean trySend(JsonObject frame) {
    return trySendText(frame.encode());
  }

  /** Sends raw text unless the connection is closed; returns whether it was sent. */
  public boolean trySendText(String text) {
    if (closed.isDone()) {
      return false;
    }
    try {
      sendText(text);
      return true;
    } catch (RuntimeException closedMeanwhile) {
      return false;
    }
  }

  /** When {@code frame} (one this client received) arrived, in System.nanoTime. */
  public long receivedAt(JsonObject frame) {
    synchronized (frames) {
      return receivedAt.getOrDefault(frame, System.nanoTime());
    }
  }

  public void sendBinary(Buffer data) {
    ws.writeBinaryMessage(data);
  }

  /** Sends a command with a fresh id and returns its reply (ack or error). */
  public JsonObject call(JsonObject command) {
    String id = "c" + ids.incrementAndGet();
    send(command.copy().put("id", id));
    return take(f -> id.equals(f.getValue("id")) && ("ack".equals(f.getString("type"))
        || "error".equals(f.getString("type"))));
  }

  /** The ack's result; fails the test with the error when the command failed. */
  public JsonObject ok(JsonObject command) {
    JsonObject reply = call(command);
    assertEquals("ack", reply.getString("type"), () -> "expected an ack for " + command + " but got " + reply);
    return reply.getJsonObject("result");
  }

  /** The error code of a command that must fail. */
  public String errorCode(JsonObject command) {
    JsonObject reply = call(command);
    assertEquals("error", reply.getString("type"), () -> "expected an error for " + command + " but got " + reply);
    assertNotNull(reply.getString("message"));
    return reply.getString("code");
  }

  public JsonObject take(String type) {
    return take(f -> type.equals(f.getString("type")));
  }

  /** Removes and returns the first frame that matches, waiting for it up to {@link #TIMEOUT}. */
  public JsonObject take(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (frames) {
      while (true) {
        for (Iterator<JsonObject> it = frames.iterator(); it.hasNext(); ) {
          JsonObject f = it.next();
          if (match.test(f)) {
            it.remove();
            return f;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("no matching frame within " + TIMEOUT + "; received: " + frames);
        }
        try {
          frames.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail(e);
        }
      }
    }
  }

  /**
   * Removes and returns, in arrival order, the first {@code n} frames that match, waiting up to
   * {@code timeout} for them all (for bursts: one wait instead of one per frame).
   */
  public List<JsonObject> takeAll(Predicate<JsonObject> match, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (frames) {
      while (true) {
        List<JsonObject> found = new ArrayList<>(n);
        for (JsonObject f : frames) {
          if (match.test(f)) {
            found.add(f);
            if (found.size() == n) {
              break;
            }
          }
        }
        if (found.size() == n) {
          java.util.Set<JsonObject> taken = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
          taken.addAll(found);
          frames.removeIf(taken::contains);
          return found;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("only " + found.size() + " of " + n + " matching frames within " + timeout);
        }
        try {
          frames.wait(Math.max(1, Math.min(200, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail(e);
        }
      }
    }
  }

  /** Waits up to {@code timeout} until a matching frame has arrived, leaving it (and all others) in place. */
  public JsonObject await(Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (frames) {
      while (true) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            return f;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("no matching frame within " + timeout);
        }
        try {
          frames.wait(Math.max(1, Math.min(200, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail(e);
        }
      }
    }
  }

  /** Asserts that no matching frame arrives within {@code window} (a bounded negative check). */
  public void assertNone(Predicate<JsonObject> match, Duration window) {
    long deadline = System.nanoTime() + window.toNanos();
    synchronized (frames) {
      while (true) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            fail("unexpected frame: " + f);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          frames.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** WebSocket messages received so far (a batched one counts once, whatever it carries). */
  public int messagesReceived() {
    synchronized (frames) {
      return messages;
    }
  }

  /** WebSocket messages received that carried more than one frame. */
  public int joinedMessagesReceived() {
    synchronized (frames) {
      return joinedMessages;
    }
  }

  /** The length in characters of the largest WebSocket message received. */
  public int largestMessageReceived() {
    synchronized (frames) {
      return largestMessage;
    }
  }

  /** Frames received and not yet taken, in order. */
  public List<JsonObject> pending() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  /** The close code the server closed with, waiting up to {@code timeout}. */
  public short closeCode(Duration timeout) {
    try {
      Short code = closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return code == null ? -1 : code;
    } catch (Exception e) {
      fail("connection not closed within " + timeout);
      return -1;
    }
  }

  public short closeCode() {
    return closeCode(TIMEOUT);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public void close(short code) {
    ws.close(code);
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
    client.close();
  }

  public static final class Builder {
    private final Vertx vertx;
    private final WebSocketConnectOptions options = new WebSocketConnectOptions();
    private java.util.function.Consumer<WsClient> onConnect = c -> {};
    private final WebSocketClientOptions clientOptions = new WebSocketClientOptions()
        .setMaxFrameSize(4 * 1024 * 1024).setMaxMessageSize(4 * 1024 * 1024);

    Builder(Vertx vertx, int port) {
      this.vertx = vertx;
      // No automatic Origin header: tests that need one set it, like a browser would.
      options.setHost("127.0.0.1").setPort(port).setURI("/ws").setAllowOriginHeader(false);
    }

    /** Called with every client this builder connects (to close it at the end of a test). */
    public Builder onConnect(java.util.function.Consumer<WsClient> onConnect) {
      this.onConnect = onConnect;
      return this;
    }

    public Builder uri(String uri) {
      options.setURI(uri);
      return this;
    }

    public Builder header(String name, String value) {
      options.addHeader(name, value);
      return this;
    }

    public Builder subprotocols(String... protocols) {
      options.setSubProtocols(List.of(protocols));
      return this;
    }

    /** The local address to connect from (e.g. 127.0.0.2, to look like another host to a proxy). */
    public Builder localAddress(String address) {
      clientOptions.setLocalAddress(address);
      return this;
    }

    public Builder ssl() {
      options.setSsl(true);
      clientOptions.setSsl(true).setTrustAll(true).setVerifyHost(false);
      return this;
    }

    public WsClient connect() {
      WebSocketClient client = vertx.createWebSocketClient(clientOptions);
      try {
        // Handlers are set before connecting: the welcome may arrive in the same read as the handshake.
        ClientWebSocket ws = client.webSocket();
        WsClient c = new WsClient(client, ws);
        try {
          ws.connect(options).toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          if (ws.headers() != null) {
            c.handshakeHeaders = io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(ws.headers());
          }
        } catch (Exception e) {
          // A server that closes right after the upgrade (4001, 1013, ...) can fail the connect future
          // although the close frame, which is what the test wants, did arrive.
          try {
            c.closed.get(1, TimeUnit.SECONDS);
          } catch (Exception notClosed) {
            throw e;
          }
        }
        onConnect.accept(c);
        return c;
      } catch (Exception e) {
        client.close();
        throw new AssertionError("cannot connect: " + e, e);
      }
    }

    /** Connects and waits for the welcome frame. */
    public WsClient open() {
      WsClient c = connect();
      c.take("welcome");
      return c;
    }
  }
}
