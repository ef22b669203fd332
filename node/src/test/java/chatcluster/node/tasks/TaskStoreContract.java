package chatcluster.node.tasks;

import static chatcluster.cluster.testing.CallerContext.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import chatcluster.cluster.testing.CallerContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskStore} must do; each implementation's test extends this. Calls are made from
 * an event-loop context of the test's own, not the one the store was created on, and every Future
 * must complete back on the calling context. Surviving a restart is the file store's own test
 * ({@code ScheduledTasksTest}); a shared Redis outlives its nodes.
 */
public abstract class TaskStoreContract {
  protected Vertx vertx;
  private CallerContext caller;
  private TaskStore store;

  /** A fresh, empty store on {@code vertx}, ready to use. */
  protected abstract TaskStore newStore(Vertx vertx) throws Exception;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = newStore(vertx);
    caller = CallerContext.deploy(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private <T> T call(Supplier<Future<T>> action) throws Exception {
    return caller.call(action);
  }

  private static ScheduledTask task(String id) {
    return new ScheduledTask(id, "device-1", "/v1/items", "POST", new JsonObject().put("q", 1),
        new JsonObject().put("x-trace", "t"), 60, 1_000_000L, null, 1_000_000L);
  }

  private static List<ScheduledTask> byId(List<ScheduledTask> tasks) {
    return tasks.stream().sorted(Comparator.comparing(ScheduledTask::id)).toList();
  }

  @Test
  void aStoredTaskIsReadBackWhole() throws Exception {
    ScheduledTask t = task("t-1");
    call(() -> store.put(t));
    assertEquals(t, call(() -> store.get("t-1")));
    assertEquals(List.of(t), call(store::all));
    assertNull(call(() -> store.get("t-unknown")));
  }

  @Test
  void putReplacesTheTaskWithTheSameId() throws Exception {
    call(() -> store.put(task("t-1")));
    ScheduledTask ran = task("t-1").afterRun(1_000_500L, 200, true);
    call(() -> store.put(ran));
    assertEquals(ran, call(() -> store.get("t-1")));
    assertEquals(List.of(ran), call(store::all));
  }

  @Test
  void removeDeletesOnlyThatTaskAndIsANoOpWhenAbsent() throws Exception {
    call(() -> store.put(task("t-1")));
    call(() -> store.put(task("t-2")));
    call(() -> store.remove("t-1"));
    assertNull(call(() -> store.get("t-1")));
    assertEquals(List.of(task("t-2")), call(store::all));
    call(() -> store.remove("t-1"));
    call(() -> store.remove("t-unknown"));
    assertEquals(List.of(task("t-2")), call(store::all));
  }

  @Test
  void anEmptyStoreHasNoTasksAndFlushesAtOnce() throws Exception {
    assertEquals(List.of(), call(store::all));
    call(store::flush);
  }

  @Test
  void callersOnTwoContextsEachGetTheirCallbacksAndEveryChangeIsKept() throws Exception {
    CallerContext other = CallerContext.deploy(vertx);
    Future<Void> fromCaller = caller.submit(() -> putInOrder(caller, "a-", 10));
    Future<Void> fromOther = other.submit(() -> putInOrder(other, "b-", 10));
    await(Future.all(fromCaller, fromOther));
    call(store::flush);
    other.call(store::flush);
    Set<String> ids = call(store::all).stream().map(ScheduledTask::id).collect(Collectors.toSet());
    assertEquals(IntStream.rangeClosed(1, 10).boxed().flatMap(i -> Set.of("a-" + i, "b-" + i).stream())
        .collect(Collectors.toSet()), ids);
    assertEquals(byId(call(store::all)), byId(other.call(store::all)));
  }

  /** Puts tasks {@code prefix}1..n one after the other, each Future checked on {@code on}. */
  private Future<Void> putInOrder(CallerContext on, String prefix, int n) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 1; i <= n; i++) {
      ScheduledTask t = task(prefix + i);
      chain = chain.compose(v -> on.checked(store.put(t)));
    }
    return chain;
  }
}
