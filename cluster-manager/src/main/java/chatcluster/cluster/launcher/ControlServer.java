package chatcluster.cluster.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running launcher's control endpoint on 127.0.0.1 (a free port, named in the
 * {@link ControlFile}): {@code GET /status}, {@code POST /scale?nodes=N}, {@code POST /down}. Every
 * request must carry the control file's token in {@code X-Launcher-Token}. Answers are
 * {@link ClusterStatus} properties, or a one-line error with status 400, 403 or 500.
 */
final class ControlServer {
  static final String TOKEN_HEADER = "X-Launcher-Token";
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

  private final HttpServer server;
  private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

  ControlServer(LocalCluster cluster, Runnable shutdown) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "launcher-control");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/status", ex -> handle(ex, "GET", () -> cluster.status().toProperties()));
    server.createContext("/scale", ex -> handle(ex, "POST", () -> {
      int nodes = nodesParameter(ex.getRequestURI().getQuery());
      log.info("scale to {} nodes requested", nodes);
      return cluster.scale(nodes).toProperties();
    }));
    server.createContext("/down", ex -> handle(ex, "POST", () -> {
      Thread t = new Thread(shutdown, "launcher-down");
      t.start();
      return "stopping\n";
    }));
  }

  void start() {
    server.start();
  }

  void stop() {
    server.stop(0);
  }

  ControlFile controlFile() {
    return new ControlFile(ProcessHandle.current().pid(), server.getAddress().getPort(), token);
  }

  private interface Action {
    String run() throws Exception;
  }

  private void handle(HttpExchange ex, String method, Action action) throws IOException {
    try (ex) {
      String given = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
      if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
          token.getBytes(StandardCharsets.UTF_8))) {
        respond(ex, 403, "forbidden: wrong or missing " + TOKEN_HEADER + "\n");
        return;
      }
      if (!ex.getRequestMethod().equals(method)) {
        respond(ex, 405, "use " + method + "\n");
        return;
      }
      try {
        respond(ex, 200, action.run());
      } catch (IllegalArgumentException e) {
        respond(ex, 400, e.getMessage() + "\n");
      } catch (Exception e) {
        log.error("control request {} failed: {}", ex.getRequestURI().getPath(), e.getMessage());
        respond(ex, 500, e.getMessage() + "\n");
      }
    }
  }

  private static int nodesParameter(String query) {
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("nodes=")) {
          try {
            int n = Integer.parseInt(pair.substring(6));
            if (n >= 1 && n <= LauncherOptions.MAX_NODES) {
              return n;
            }
          } catch (NumberFormatException ignored) {
            // falls through to the error
          }
        }
      }
    }
    throw new IllegalArgumentException("nodes must be a number from 1 to " + LauncherOptions.MAX_NODES);
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
