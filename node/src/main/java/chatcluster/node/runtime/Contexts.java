package chatcluster.node.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;

/**
 * Crossing from one Vert.x context to another, the one way the node does it.
 *
 * <p>A node's shared parts (broker, stores, scheduler, hub) belong to the node's context; connections
 * live on several event loops. A loop reaches a shared part through {@link #call} or an interface
 * {@link #bind bound} to the owner's context: the work runs on the owner's context, and the Future
 * completes on the caller's context, so a caller never touches state of another thread, and its
 * callbacks never run elsewhere.
 *
 * <p>Order: calls made from one thread to one owner run in the order they were made (a context's
 * task queue is FIFO).
 */
public final class Contexts {
  private Contexts() {}

  /**
   * Runs {@code action} on {@code owner}; the returned Future completes on the caller's context. On
   * the owner's own context the action runs at once, without a hop.
   */
  public static <T> Future<T> call(Vertx vertx, Context owner, Supplier<Future<T>> action) {
    Context caller = vertx.getOrCreateContext();
    if (owner == null || caller == owner) {
      return invoke(action);
    }
    Promise<T> promise = Promise.promise();
    owner.runOnContext(v -> invoke(action).onComplete(ar -> caller.runOnContext(x -> promise.handle(ar))));
    return promise.future();
  }

  /**
   * {@code f} completing on the calling thread's context: for Futures from code the node does not own
   * (an embedder's hook may complete its Future on a thread of its own), so that what the caller
   * chains after it still runs where the caller's state lives. Off a context, {@code f} as it is.
   */
  public static <T> Future<T> onCaller(Future<T> f) {
    Context caller = Vertx.currentContext();
    if (caller == null || f.isComplete()) {
      return f;
    }
    Promise<T> promise = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        promise.handle(ar);
      } else {
        caller.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  private static <T> Future<T> invoke(Supplier<Future<T>> action) {
    try {
      Future<T> f = action.get();
      return f == null ? Future.succeededFuture() : f;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Wraps {@code target} so that every method returning a {@link Future} runs on {@code owner} and
   * completes on the caller's context (see {@link #call}). Other methods are called directly: they
   * must be safe from any thread (health flags, handler registration at start-up).
   */
  @SuppressWarnings("unchecked")
  public static <T> T bind(Class<T> type, T target, Vertx vertx, Context owner) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return method.invoke(target, args);
      }
      if (Future.class.isAssignableFrom(method.getReturnType())) {
        return call(vertx, owner, () -> (Future<Object>) invokeUnwrapped(method, target, args));
      }
      return invokeUnwrapped(method, target, args);
    };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  private static Object invokeUnwrapped(Method method, Object target, Object[] args) {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
