package chatcluster.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reach into Vert.x that drops each WebSocket's multi-producer write queue works with the pinned
 * Vert.x (a version whose internals moved fails here, not silently in memory), and a socket without
 * the queue still writes every frame, in order, including more than the socket takes at once.
 */
class LoopConfinedWritesTest {

  @Test
  void aWebSocketWithoutTheQueueWritesEverythingInOrder() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Boolean> applied = new CompletableFuture<>();
      int frames = 5_000;
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
              .setStrictThreadMode(true))
          .webSocketHandler(ws -> {
            applied.complete(LoopConfinedWrites.apply(ws));
            for (int i = 0; i < frames; i++) {
              ws.writeTextMessage(i + ":" + "p".repeat(200));
            }
          });
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<String> got = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> all = new CompletableFuture<>();
      WebSocketClient client = vertx.createWebSocketClient();
      client.webSocket()
          .textMessageHandler(t -> {
            got.add(t);
            if (got.size() == frames) {
              all.complete(null);
            }
          })
          .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(applied.get(10, TimeUnit.SECONDS), "the write queue could not be replaced");
      all.get(20, TimeUnit.SECONDS);
      for (int i = 0; i < frames; i++) {
        assertEquals(i, Integer.parseInt(got.get(i).substring(0, got.get(i).indexOf(':'))));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
