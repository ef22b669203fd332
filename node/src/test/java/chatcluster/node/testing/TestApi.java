package chatcluster.node.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP API for the REST relay's tests, under /v1: /products/list, /echo (any method),
 * /missing (404), /boom (500), /slow (2 s), /garbage (invalid JSON), /text, /big (2 MiB), /count.
 * Records every request it sees.
 */
public final class TestApi implements AutoCloseable {
  /** One request the API received. */
  public record Call(String method, String path, String node, String task, long at) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  public final List<Call> calls = new CopyOnWriteArrayList<>();

  public TestApi() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      calls.add(new Call(req.method().name(), req.path(), req.getHeader("X-ChatCluster-Node"),
          req.getHeader("X-ChatCluster-Task"), System.currentTimeMillis()));
      var res = req.response();
      switch (req.path()) {
        case "/v1/products/list" -> res.putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("products", List.of("tea", "cake")).put("apiKey", req.getHeader("X-Api-Key"))
            .put("client", req.getHeader("X-Client")).encode());
        case "/v1/echo" -> res.setStatusCode(201).putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("method", req.method().name()).put("contentType", req.getHeader("Content-Type"))
            .put("body", body.toString()).encode());
        case "/v1/missing" -> res.setStatusCode(404).putHeader("Content-Type", "application/json")
            .end("{\"error\":\"no such thing\"}");
        case "/v1/boom" -> res.setStatusCode(500).putHeader("Content-Type", "text/plain").end("boom");
        case "/v1/slow" -> vertx.setTimer(2000, t -> res.end("late"));
        case "/v1/garbage" -> res.putHeader("Content-Type", "application/json").end("{not json");
        case "/v1/text" -> res.putHeader("Content-Type", "text/plain").end("hello");
        case "/v1/big" -> res.putHeader("Content-Type", "text/plain").end(Buffer.buffer(new byte[2 * 1024 * 1024]));
        case "/v1/count" -> res.putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("n", calls.stream().filter(c -> c.path().equals("/v1/count")).count()).encode());
        default -> res.setStatusCode(404).end();
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public List<Call> calls(String path) {
    return calls.stream().filter(c -> c.path().equals(path)).toList();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
