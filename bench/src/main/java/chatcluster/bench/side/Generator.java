package chatcluster.bench.side;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The load generator's machinery: a Vert.x instance with a fixed number of event loops, the
 * WebSocket clients (plain and TLS, trusting the bench's self-signed certificate) and an HTTP client
 * (one pipelined connection) for targets that take publishes over HTTP. Every wait is bounded.
 */
public final class Generator implements AutoCloseable {
  private final Vertx vertx;
  private final int loops;
  private final WebSocketClient plain;
  private final WebSocketClient tls;
  private final HttpClient http;

  public Generator(int loops) {
    this.loops = loops;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    WebSocketClientOptions ws = new WebSocketClientOptions().setMaxConnections(1_000_000).setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 20).setConnectTimeout(20_000);
    this.plain = vertx.createWebSocketClient(ws);
    this.tls = vertx.createWebSocketClient(new WebSocketClientOptions(ws).setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
    // One connection, pipelined: publishes leave in the order they were made and the server takes them
    // in that order, as over a publisher's WebSocket.
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(20_000)
        .setPipelining(true).setPipeliningLimit(1024).setTrustAll(true).setVerifyHost(false),
        new PoolOptions().setHttp1MaxSize(1));
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Event loops of the generator: its threads that do the clients' work. */
  public int loops() {
    return loops;
  }

  public WebSocketClient webSockets(boolean secure) {
    return secure ? tls : plain;
  }

  public HttpClient http() {
    return http;
  }

  /**
   * Opens {@code n} things (connections) with at most {@code window} opening at once; fails on the
   * first failure or when the whole takes longer than {@code timeoutSeconds}.
   */
  public <T> List<T> openAll(int n, int window, int timeoutSeconds, IntFunction<Future<T>> open) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    Semaphore slots = new Semaphore(window);
    List<T> opened = Collections.synchronizedList(new ArrayList<>(n));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      for (int i = 0; i < n && failure.get() == null; i++) {
        if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException("opening " + n + " connections took longer than " + timeoutSeconds
              + " s (" + opened.size() + " open)");
        }
        open.apply(i).onComplete(ar -> {
          if (ar.succeeded()) {
            opened.add(ar.result());
          } else {
            failure.compareAndSet(null, ar.cause());
          }
          slots.release();
        });
      }
      if (!slots.tryAcquire(window, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("opening " + n + " connections took longer than " + timeoutSeconds + " s ("
            + opened.size() + " open)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a connection failed after " + opened.size() + " of " + n + ": "
          + failure.get(), failure.get());
    }
    return new ArrayList<>(opened);
  }

  /** Waits for a Future from a non-event-loop thread, at most {@code seconds}. */
  public static <T> T await(Future<T> f, int seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("no answer within " + seconds + " s: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close(), 30);
  }
}
