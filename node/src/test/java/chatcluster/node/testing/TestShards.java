package chatcluster.node.testing;

import chatcluster.node.redis.RedisEndpoint;
import chatcluster.cluster.testing.CallerContext;
import chatcluster.node.redis.RedisLink;
import chatcluster.node.redis.RedisShards;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * One {@link RedisLink} to the test Redis, as {@link RedisShards}, started on a context of its own:
 * the node's context, as it were, so that contract suites call the stores from another one.
 */
public final class TestShards implements AutoCloseable {
  private final CallerContext node;
  private final RedisLink link;
  private final RedisShards shards;

  private TestShards(CallerContext node, RedisLink link) {
    this.node = node;
    this.link = link;
    this.shards = new RedisShards(List.of(link));
  }

  /** Connects to {@code redis}; fails when the link did not come up. */
  public static TestShards start(Vertx vertx, TestRedis redis) throws Exception {
    CallerContext node = CallerContext.deploy(vertx);
    RedisLink link = new RedisLink(vertx, RedisEndpoint.server(redis.url()), push -> {}, v -> {});
    node.call(link::start);
    if (!link.healthy()) {
      throw new IllegalStateException("no connection to " + redis.url());
    }
    return new TestShards(node, link);
  }

  public RedisShards shards() {
    return shards;
  }

  /** The context the link was started on. */
  public CallerContext node() {
    return node;
  }

  /** Closes the link from its own context. Not a checked call: closing is not what the suites test. */
  @Override
  public void close() throws Exception {
    Promise<Void> closed = Promise.promise();
    node.context().runOnContext(v -> link.close().onComplete(closed));
    CallerContext.await(closed.future());
    node.close();
  }
}
