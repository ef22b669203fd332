package chatcluster.node.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a Redis ({@link TestRedis#startShared()}): started once per test run, stopped when the
 * run ends. Tests keep apart by key prefix.
 */
public final class RedisExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RedisExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == TestRedis.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getRoot().getStore(NS).getOrComputeIfAbsent("redis", k -> new Holder(), Holder.class).redis;
  }

  /** Closed by JUnit at the end of the run. */
  static final class Holder implements ExtensionContext.Store.CloseableResource {
    final TestRedis redis;

    Holder() {
      try {
        redis = TestRedis.startShared();
      } catch (Exception e) {
        throw new IllegalStateException("no Redis for tests: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws Exception {
      redis.close();
    }
  }
}
