package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Socket.IO 4 with {@code @socket.io/redis-adapter} on {@code processes} Node.js processes
 * ({@code bench/peers/socketio/server.js}), WebSocket transport only, and a redis-server. The
 * generator speaks Engine.IO v4 / Socket.IO v5 itself over a raw WebSocket: open {@code 0{…}},
 * connect {@code 40} answered {@code 40{…}}, ping {@code 2} answered {@code 3}, events
 * {@code 42["name",…]} and acknowledgements {@code 43<id>[…]}.
 */
public final class SocketIoTarget extends Target {
  private static final String PATH = "/socket.io/?EIO=4&transport=websocket";
  private final Path peerDir;
  private final int count;
  private final List<Integer> ports = new ArrayList<>();
  private boolean tls;

  public SocketIoTarget(Path peerDir, int processes) {
    this.peerDir = peerDir;
    this.count = processes;
  }

  @Override
  public String name() {
    return "socketio";
  }

  @Override
  public void start(Path dir, Tls tls) throws Exception {
    if (!Files.isDirectory(peerDir.resolve("node_modules/socket.io"))) {
      throw new IllegalStateException("Socket.IO is not installed: run npm ci in " + peerDir);
    }
    String node = ServerProcess.require("node", "apt-get install nodejs npm");
    this.tls = tls != null;
    ports.clear();
    int redisPort = ServerProcess.freePort();
    processes.add(ServerProcess.startRedis("socketio-redis", dir, redisPort));
    for (int i = 0; i < count; i++) {
      int port = ServerProcess.freePort();
      Map<String, String> env = new java.util.HashMap<>(Map.of("PORT", String.valueOf(port), "REDIS_URL",
          "redis://127.0.0.1:" + redisPort));
      if (tls != null) {
        env.put("TLS_CERT", tls.cert().toString());
        env.put("TLS_KEY", tls.key().toString());
      }
      ServerProcess p = ServerProcess.start("socketio-" + i,
          List.of(node, peerDir.resolve("server.js").toAbsolutePath().toString()), dir, env, false);
      processes.add(p);
      p.awaitPort(port, 30);
      ports.add(port);
    }
  }

  @Override
  public int processCount() {
    return ports.size();
  }

  @Override
  public Future<Void> subscribe(Generator gen, int process, String channel, Subscriber sub) {
    Promise<Void> joined = Promise.promise();
    java.util.function.BiConsumer<ClientWebSocket, Buffer> frames = (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        sub.onPayload(frame, at);
      } else if (frame.length() == 1 && frame.getByte(0) == '2') {
        ws.writeTextMessage("3");
      } else if (WsConnect.startsWith(frame, "0{")) {
        ws.writeTextMessage("40");
      } else if (WsConnect.startsWith(frame, "40")) {
        ws.writeTextMessage("421[\"join\",\"" + channel + "\"]");
      } else if (WsConnect.startsWith(frame, "431")) {
        joined.tryComplete();
      } else if (WsConnect.startsWith(frame, "44")) {
        joined.tryFail("connect refused: " + frame);
      }
    };
    return WsConnect.open(gen, null, tls, ports.get(process), PATH, frames,
        closed -> joined.tryFail("closed before joining")).compose(ws -> {
          sub.socket(ws);
          return joined.future();
        });
  }

  @Override
  public Future<Publisher> publisher(Generator gen, int process, List<String> channels, Tally tally) {
    Context ctx = gen.vertx().getOrCreateContext();
    ArrayDeque<Handler<Boolean>> pending = new ArrayDeque<>();
    Promise<Publisher> ready = Promise.promise();
    java.util.function.BiConsumer<ClientWebSocket, Buffer> frames = (ws, frame) -> {
      if (Payload.find(frame) >= 0) {
        tally.delivered.increment();
        tally.echoes.increment();
      } else if (WsConnect.startsWith(frame, "43")) {
        Handler<Boolean> h = pending.poll();
        if (h != null) {
          h.handle(true);
        }
      } else if (frame.length() == 1 && frame.getByte(0) == '2') {
        ws.writeTextMessage("3");
      } else if (WsConnect.startsWith(frame, "0{")) {
        ws.writeTextMessage("40");
      } else if (WsConnect.startsWith(frame, "40")) {
        ready.tryComplete(new FramedPublisher(ws, ctx, pending, 10,
            // publish(room, data) with an acknowledgement; acks come back in order
            (channel, payload, id) -> "42" + id + "[\"publish\",\"" + channel + "\",\"" + payload + "\"]"));
      }
    };
    return WsConnect.open(gen, ctx, tls, ports.get(process), PATH, frames, closed -> {
      Handler<Boolean> h;
      while ((h = pending.poll()) != null) {
        h.handle(false);
      }
    }).compose(ws -> ready.future());
  }
}
