package chatcluster.node.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: 200 while the node takes
 * connections, 503 with the reason while it drains or cannot reach what it depends on.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  /** @param notReadyReason null when ready, else why not */
  public static void mount(Router router, Supplier<String> notReadyReason) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(ctx -> {
      String reason = notReadyReason.get();
      if (reason == null) {
        ctx.json(new JsonObject().put("status", "ready"));
      } else {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("status", "not ready").put("reason", reason));
      }
    });
  }
}
