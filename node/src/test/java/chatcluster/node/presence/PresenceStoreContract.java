package chatcluster.node.presence;

import static chatcluster.cluster.testing.CallerContext.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chatcluster.cluster.testing.CallerContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} must do; each implementation's test extends this. Calls are made
 * from an event-loop context of the test's own, not the one the store was created on, and every
 * Future must complete back on the calling context.
 */
public abstract class PresenceStoreContract {
  protected Vertx vertx;
  private CallerContext caller;
  private PresenceStore store;

  /** A fresh, empty store on {@code vertx}. */
  protected abstract PresenceStore newStore(Vertx vertx) throws Exception;

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

  private static PresenceMember member(int n) {
    return new PresenceMember("user-" + n, "device-" + n, "node-1");
  }

  @Test
  void membersAreListedInTheOrderTheyJoined() throws Exception {
    List<PresenceMember> joined = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      int n = i;
      PresenceMember m = member(n);
      call(() -> store.add("room", "s" + n, m));
      joined.add(m);
    }
    assertEquals(joined, call(() -> store.members("room")));
  }

  @Test
  void addingASessionAgainKeepsOneEntryWithItsLatestMember() throws Exception {
    call(() -> store.add("room", "s1", member(1)));
    PresenceMember renamed = new PresenceMember("user-1b", "device-1", "node-1");
    call(() -> store.add("room", "s1", renamed));
    assertEquals(List.of(renamed), call(() -> store.members("room")));
  }

  @Test
  void removeTakesOnlyThatSessionAndIsANoOpWhenAbsent() throws Exception {
    for (int i = 1; i <= 3; i++) {
      int n = i;
      call(() -> store.add("room", "s" + n, member(n)));
    }
    call(() -> store.remove("room", "s2"));
    assertEquals(List.of(member(1), member(3)), call(() -> store.members("room")));
    call(() -> store.remove("room", "s2"));
    call(() -> store.remove("nowhere", "s1"));
    assertEquals(List.of(member(1), member(3)), call(() -> store.members("room")));
    call(() -> store.remove("room", "s1"));
    call(() -> store.remove("room", "s3"));
    assertEquals(List.of(), call(() -> store.members("room")));
    assertEquals(List.of(), call(() -> store.members("never-used")));
  }

  @Test
  void channelsAreIndependent() throws Exception {
    call(() -> store.add("a", "s1", member(1)));
    call(() -> store.add("b", "s1", member(1)));
    call(() -> store.add("b", "s2", member(2)));
    call(() -> store.remove("a", "s1"));
    assertEquals(List.of(), call(() -> store.members("a")));
    assertEquals(List.of(member(1), member(2)), call(() -> store.members("b")));
  }

  @Test
  void callersOnTwoContextsEachGetTheirCallbacksAndKeepTheirOrder() throws Exception {
    CallerContext other = CallerContext.deploy(vertx);
    Future<Void> fromCaller = caller.submit(() -> joinInOrder(caller, 1, 20));
    Future<Void> fromOther = other.submit(() -> joinInOrder(other, 101, 120));
    await(Future.all(fromCaller, fromOther));
    List<PresenceMember> members = call(() -> store.members("busy"));
    assertEquals(40, members.size());
    List<Integer> numbers = members.stream().map(m -> Integer.parseInt(m.user().substring(5))).toList();
    assertEquals(numbers.stream().filter(n -> n <= 20).sorted().toList(), numbers.stream().filter(n -> n <= 20).toList());
    assertEquals(numbers.stream().filter(n -> n > 100).sorted().toList(), numbers.stream().filter(n -> n > 100).toList());
  }

  @Test
  void addAndRemoveCountTheUserAndTheChannelRightAfter() throws Exception {
    assertEquals(new PresenceStore.Change(member(1), 1, 1), call(() -> store.add("room", "s1", member(1))));
    assertEquals(new PresenceStore.Change(member(2), 1, 2), call(() -> store.add("room", "s2", member(2))));
    PresenceMember secondDevice = new PresenceMember("user-1", "device-1b", "node-1");
    assertEquals(new PresenceStore.Change(secondDevice, 2, 3), call(() -> store.add("room", "s3", secondDevice)));
    assertEquals(new PresenceStore.Change(member(1), 1, 2), call(() -> store.remove("room", "s1")));
    assertEquals(new PresenceStore.Change(secondDevice, 0, 1), call(() -> store.remove("room", "s3")));
    assertEquals(new PresenceStore.Change(null, 0, 1), call(() -> store.remove("room", "s1")),
        "a session that is not there is not removed twice");
  }

  /**
   * Two connections of each of 30 users join at once from two contexts, then leave at once: for every
   * user exactly one join finds itself the user's only entry and exactly one leave finds the user
   * gone. Presence transitions are decided on these answers, so a count apart from the write would
   * give no first (or two) for some users.
   */
  @Test
  void ofTwoJoinsOfOneUserExactlyOneIsTheFirstAndOfTwoLeavesExactlyOneTheLast() throws Exception {
    CallerContext other = CallerContext.deploy(vertx);
    int users = 30;
    java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> firsts = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> lasts = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.function.BiFunction<CallerContext, String, Future<Void>> joinAll = (on, side) -> {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        String user = "user-" + i;
        all.add(on.checked(store.add("race", side + i, new PresenceMember(user, side, "node-1"))).onSuccess(c -> {
          if (c.userEntries() == 1) {
            firsts.computeIfAbsent(user, u -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
          }
        }));
      }
      return Future.all(all).mapEmpty();
    };
    java.util.function.BiFunction<CallerContext, String, Future<Void>> leaveAll = (on, side) -> {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        String user = "user-" + i;
        all.add(on.checked(store.remove("race", side + i)).onSuccess(c -> {
          if (c.member() != null && c.userEntries() == 0) {
            lasts.computeIfAbsent(user, u -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
          }
        }));
      }
      return Future.all(all).mapEmpty();
    };
    Future<Void> a = caller.submit(() -> joinAll.apply(caller, "a"));
    Future<Void> b = other.submit(() -> joinAll.apply(other, "b"));
    await(Future.all(a, b));
    assertEquals(2 * users, call(() -> store.members("race")).size());
    Future<Void> c = caller.submit(() -> leaveAll.apply(caller, "a"));
    Future<Void> d = other.submit(() -> leaveAll.apply(other, "b"));
    await(Future.all(c, d));
    for (int i = 0; i < users; i++) {
      String user = "user-" + i;
      assertEquals(1, firsts.getOrDefault(user, new java.util.concurrent.atomic.AtomicInteger()).get(), user + " first");
      assertEquals(1, lasts.getOrDefault(user, new java.util.concurrent.atomic.AtomicInteger()).get(), user + " last");
    }
    assertEquals(List.of(), call(() -> store.members("race")));
  }

  /** Adds members {@code from..to} to "busy" one after the other, each Future checked on {@code on}. */
  private Future<Void> joinInOrder(CallerContext on, int from, int to) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = from; i <= to; i++) {
      int n = i;
      chain = chain.compose(v -> on.checked(store.add("busy", "s" + n, member(n)))).mapEmpty();
    }
    return chain;
  }
}
