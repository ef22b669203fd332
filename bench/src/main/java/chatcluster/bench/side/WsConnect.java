package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/** Opening the generator's WebSocket connections, on an event loop chosen for them. */
final class WsConnect {
  private WsConnect() {}

  /**
   * Connects to 127.0.0.1:port/uri on {@code ctx} (a fresh event-loop context when null): every
   * frame's data goes to {@code frames} (with its socket) on that event loop; {@code closed} runs if the server closes.
   */
  static Future<ClientWebSocket> open(Generator gen, Context ctx, boolean tls, int port, String uri,
      java.util.function.BiConsumer<ClientWebSocket, Buffer> frames, Handler<Void> closed) {
    Context on = ctx != null ? ctx : gen.vertx().getOrCreateContext();
    Promise<ClientWebSocket> p = Promise.promise();
    on.runOnContext(v -> {
      ClientWebSocket ws = gen.webSockets(tls).webSocket();
      ws.handler(frame -> frames.accept(ws, frame));
      ws.closeHandler(closed);
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri).setSsl(tls))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              p.complete(ws);
            } else {
              p.fail(ar.cause());
            }
          });
    });
    return p.future();
  }

  /** Whether a frame starts with the given ASCII text. */
  static boolean startsWith(Buffer frame, String prefix) {
    if (frame.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (frame.getByte(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
