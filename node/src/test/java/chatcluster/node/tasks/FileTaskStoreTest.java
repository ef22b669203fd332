package chatcluster.node.tasks;

import chatcluster.cluster.testing.CallerContext;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The task-store contract on a file of each test's own, loaded on a context other than the callers'. */
class FileTaskStoreTest extends TaskStoreContract {
  @TempDir
  Path dir;

  @Override
  protected TaskStore newStore(Vertx vertx) throws Exception {
    FileTaskStore store = new FileTaskStore(vertx, dir.resolve("tasks.json"));
    CallerContext node = CallerContext.deploy(vertx);
    node.call(store::load);
    return store;
  }
}
