package chatcluster.node.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Refuses a request whose path has a broken percent-escape ({@code %ZZ}, a lone {@code %}) with 400
 * before it reaches a router: the router's path decoding would otherwise fail with an unhandled
 * exception and a stack trace in the log for every such request, a log flood anyone can cause.
 */
public final class PathGuard {
  private PathGuard() {
  }

  /** {@code next}, behind the check. */
  public static Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> next) {
    return request -> {
      if (escapesValid(request.path())) {
        next.handle(request);
      } else {
        request.response().setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8")
            .end("Bad request: the path has an invalid percent-escape\n");
      }
    };
  }

  /** Whether every {@code %} of a raw path is followed by two hex digits. */
  static boolean escapesValid(String path) {
    if (path == null) {
      return false;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
