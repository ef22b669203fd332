package chatcluster.cluster.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An event-loop context of its own, from which a contract suite makes its calls, and the check that
 * every Future completes on the caller's context: each {@link #call} fails when the Future's callback
 * ran anywhere else. Each instance is a fresh deployment, so it is never the context the object under
 * test was created or started on.
 */
public final class CallerContext {
  /** How long one call may take before the test fails. */
  public static final long TIMEOUT_SECONDS = 30;

  private final Vertx vertx;
  private final Context context;
  private final String deploymentId;

  private CallerContext(Vertx vertx, Context context, String deploymentId) {
    this.vertx = vertx;
    this.context = context;
    this.deploymentId = deploymentId;
  }

  /** Deploys an empty verticle on {@code vertx} and keeps its event-loop context. */
  public static CallerContext deploy(Vertx vertx) throws Exception {
    CompletableFuture<Context> deployed = new CompletableFuture<>();
    String id = await(vertx.deployVerticle(context -> {
      deployed.complete(context);
      return Future.succeededFuture();
    }));
    return new CallerContext(vertx, deployed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), id);
  }

  public Context context() {
    return context;
  }

  /**
   * Runs {@code action} on this context and waits for its Future; fails with an {@link AssertionError}
   * when the Future's callback ran on another context.
   */
  public <T> T call(Supplier<Future<T>> action) throws Exception {
    return await(submit(action));
  }

  /**
   * Runs {@code action} on this context without waiting: the returned Future holds its result, or an
   * {@link AssertionError} when the Future's callback ran on another context. For calls from several
   * contexts at once.
   */
  public <T> Future<T> submit(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        checked(action.get()).onComplete(result);
      } catch (Throwable e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  /**
   * {@code f}, failed with an {@link AssertionError} when its callback runs on another context: for
   * each of several calls in flight at once, inside one {@link #call}.
   */
  public <T> Future<T> checked(Future<T> f) {
    return f.transform(ar -> {
      AssertionError elsewhere = notHere("the Future's callback");
      return elsewhere != null ? Future.failedFuture(elsewhere) : ar.succeeded() ? Future.succeededFuture(ar.result())
          : Future.failedFuture(ar.cause());
    });
  }

  /** Runs {@code action} on this context (to register a handler there, for instance) and waits for it. */
  public void run(Runnable action) throws Exception {
    call(() -> {
      action.run();
      return Future.succeededFuture();
    });
  }

  /**
   * The failure to report when the running code is not on this context, or null when it is: for
   * handlers, which record it and let the test thread fail with it.
   */
  public AssertionError notHere(String what) {
    Context current = Vertx.currentContext();
    return current == context ? null
        : new AssertionError(what + " ran on " + describe(current) + " (thread " + Thread.currentThread().getName()
            + "), not on the caller's context " + describe(context));
  }

  /** Fails the calling thread when it is not running on this context. */
  public void assertHere(String what) {
    AssertionError elsewhere = notHere(what);
    if (elsewhere != null) {
      throw elsewhere;
    }
  }

  /** A handler to register from this context, which records what it receives and where it ran. */
  public <T> Inbox<T> inbox(String what) {
    return new Inbox<>(what);
  }

  /** Events received by a handler, each checked to have arrived on the registering context. */
  public final class Inbox<T> implements Handler<T> {
    private final String what;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    private Inbox(String what) {
      this.what = what;
    }

    @Override
    public void handle(T event) {
      AssertionError elsewhere = notHere(what);
      received.add(elsewhere != null ? elsewhere : event);
    }

    /** Waits for the first event {@code wanted} accepts; fails on one that arrived on another context. */
    @SuppressWarnings("unchecked")
    public T await(Predicate<T> wanted) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (true) {
        Object next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError(what + " received nothing wanted within " + TIMEOUT_SECONDS + " s");
        }
        if (next instanceof AssertionError elsewhere) {
          throw elsewhere;
        }
        if (wanted.test((T) next)) {
          return (T) next;
        }
      }
    }
  }

  /** Undeploys the verticle that owns this context. */
  public void close() throws Exception {
    await(vertx.undeploy(deploymentId));
  }

  private static String describe(Context c) {
    return c == null ? "no Vert.x context" : c.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(c));
  }

  /** Waits for {@code f} from a thread that is not an event loop (the test's own). */
  public static <T> T await(Future<T> f) throws Exception {
    return await(f.toCompletionStage().toCompletableFuture());
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
