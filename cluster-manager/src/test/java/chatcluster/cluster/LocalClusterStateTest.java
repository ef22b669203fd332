package chatcluster.cluster;

import static chatcluster.cluster.testing.CallerContext.await;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class LocalClusterStateTest extends ClusterStateContract {
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Override
  protected ClusterState state() {
    return new LocalClusterState("node-local");
  }
}
