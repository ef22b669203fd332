package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * The floor: a bare relay on Node's {@code ws} library ({@code bench/peers/socketio/ws-relay.js}),
 * one process, no Redis, no protocol beyond "subscribe by URL, publish {@code channel\npayload}".
 * What a WebSocket fan-out costs with nothing else around it; not a product users would pick.
 */
public final class WsRelayTarget extends Target {
  private final Path peerDir;
  private int port;
  private boolean tls;

  public WsRelayTarget(Path peerDir) {
    this.peerDir = peerDir;
  }

  @Override
  public String name() {
    return "ws";
  }

  @Override
  public void start(Path dir, Tls tls) throws Exception {
    if (tls != null) {
      throw new IllegalStateException("the ws relay serves plain ws only");
    }
    if (!Files.isDirectory(peerDir.resolve("node_modules/ws"))) {
      throw new IllegalStateException("ws is not installed: run npm ci in " + peerDir);
    }
    this.tls = false;
    port = ServerProcess.freePort();
    ServerProcess p = ServerProcess.start("ws-relay", List.of(ServerProcess.require("node",
        "apt-get install nodejs npm"), peerDir.resolve("ws-relay.js").toAbsolutePath().toString()), dir,
        Map.of("PORT", String.valueOf(port)), false);
    processes.add(p);
    p.awaitPort(port, 30);
  }

  @Override
  public int processCount() {
    return 1;
  }

  @Override
  public boolean separateProcesses() {
    return false;
  }

  @Override
  public Future<Void> subscribe(Generator gen, int process, String channel, Subscriber sub) {
    Promise<Void> ok = Promise.promise();
    return WsConnect.open(gen, null, tls, port, "/?channel=" + channel, (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        sub.onPayload(frame, at);
      } else if (WsConnect.startsWith(frame, "ok")) {
        ok.tryComplete();
      }
    }, closed -> ok.tryFail("closed before subscribing")).compose(ws -> {
      sub.socket(ws);
      return ok.future();
    });
  }

  @Override
  public Future<Publisher> publisher(Generator gen, int process, List<String> channels, Tally tally) {
    Context ctx = gen.vertx().getOrCreateContext();
    ArrayDeque<Handler<Boolean>> pending = new ArrayDeque<>();
    return WsConnect.open(gen, ctx, tls, port, "/", (ws, frame) -> {
      if (WsConnect.startsWith(frame, "a")) {
        Handler<Boolean> h = pending.poll();
        if (h != null) {
          h.handle(true);
        }
      }
    }, closed -> {
      Handler<Boolean> h;
      while ((h = pending.poll()) != null) {
        h.handle(false);
      }
    }).map(ws -> new Publisher() {
      @Override
      public void publish(String channel, String payload, Handler<Boolean> done) {
        pending.add(done);
        ws.writeTextMessage(channel + "\n" + payload);
      }

      @Override
      public Context context() {
        return ctx;
      }

      @Override
      public void close() {
        ws.close();
      }
    });
  }

}
