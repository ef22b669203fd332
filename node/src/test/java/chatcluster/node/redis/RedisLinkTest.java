package chatcluster.node.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.cluster.testing.CallerContext;
import chatcluster.node.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RedisLinkTest {

  /**
   * Scripts go by their SHA (EVALSHA), loaded when the link connects; after a SCRIPT FLUSH the first
   * call is refused (NOSCRIPT) and the link loads them again, so the next one runs.
   */
  @Test
  void scriptsFlushedFromTheServerAreLoadedAgain() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestRedis redis = TestRedis.startDedicatedWithoutPersistence()) {
      CallerContext node = CallerContext.deploy(vertx);
      RedisLink link = new RedisLink(vertx, RedisEndpoint.server(redis.url()), push -> {}, v -> {});
      node.call(link::start);
      java.util.function.Supplier<Future<Response>> beat = () -> link.send(RedisScripts.call(RedisScripts.HEARTBEAT)
          .arg(1).arg("test:nodes").arg("node-a"));
      assertEquals(1L, node.call(beat).toLong(), "found at once: loaded when the link connected");
      node.call(() -> link.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
      Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> node.call(beat));
      assertTrue(String.valueOf(refused.getMessage()).contains("NOSCRIPT"), refused.toString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      Response again = null;
      while (again == null && System.nanoTime() < deadline) {
        try {
          again = node.call(beat);
        } catch (Exception notYet) {
          Thread.sleep(20); // polling a bounded deadline
        }
      }
      assertTrue(again != null, "loaded again after NOSCRIPT");
      node.call(link::close);
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A subscribe is done when Redis has the subscription, not when the command is written (which is
   * when the Vert.x client completes a pub/sub command): with Redis stalled (SIGSTOP) it does not
   * complete; once Redis resumes it does, and a message published right after reaches the link.
   * Before, the subscribe completed at once and a publish right after it could overtake it.
   */
  @Test
  void aSubscribeCompletesOnceRedisConfirmedIt() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestRedis redis = TestRedis.startDedicatedWithoutPersistence()) {
      CallerContext node = CallerContext.deploy(vertx);
      List<String> heard = new CopyOnWriteArrayList<>();
      RedisLink link = new RedisLink(vertx, RedisEndpoint.server(redis.url()),
          push -> heard.add(push.get(1).toString() + "=" + push.get(2).toString()), v -> {});
      node.call(link::start);
      assertTrue(link.healthy());

      redis.signal("STOP");
      Future<Void>[] subscribed = new Future[1];
      try {
        node.run(() -> subscribed[0] = link.subscribe("stalled", false));
        Thread.sleep(300); // Redis cannot have confirmed anything meanwhile
        assertFalse(subscribed[0].isComplete(), "done before Redis had the subscription");
      } finally {
        redis.signal("CONT");
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!subscribed[0].isComplete() && System.nanoTime() < deadline) {
        Thread.sleep(10); // polling a bounded deadline
      }
      assertTrue(subscribed[0].succeeded(), "done once Redis confirmed it");
      Response receivers = node.call(() -> link.send(Request.cmd(Command.PUBLISH).arg("stalled").arg("after")));
      assertEquals(1L, receivers.toLong(), "Redis counts the link's subscription");
      while (heard.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10); // polling a bounded deadline
      }
      assertEquals(List.of("stalled=after"), heard);
      node.call(link::close);
    } finally {
      vertx.close().await();
    }
  }
}
