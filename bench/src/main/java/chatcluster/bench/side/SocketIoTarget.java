package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.json.JsonObject;
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
  /** Connection state recovery on the Redis Streams adapter (server.js with RECOVERY=1). */
  private boolean recovery;

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
      if (recovery) {
        env.put("RECOVERY", "1");
      }
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
  public Target withProcesses(int processes) {
    return new SocketIoTarget(peerDir, processes);
  }

  /**
   * The same servers with {@code connectionStateRecovery} on {@code @socket.io/redis-streams-adapter}
   * (the plain Redis adapter cannot restore sessions): every broadcast to a room carries its stream
   * offset as a last argument, and a client that connects again with its session's {@code pid} and the
   * last {@code offset} gets its rooms back and the missed packets, if the server finds the session.
   * Socket.IO keeps history per namespace, not per channel: {@code channelPrefix} and {@code history}
   * have nothing to configure (the stream keeps its default 10,000 entries).
   */
  @Override
  public Target recoverable(int processes, String channelPrefix, int history) {
    SocketIoTarget t = new SocketIoTarget(peerDir, processes);
    t.recovery = true;
    return t;
  }

  /**
   * Engine.IO open, then the Socket.IO CONNECT with {@code {"pid","offset"}} once the client has a
   * session (protocol v5): the server answers {@code 40{"sid","pid"}}, the same pid when it restored the
   * session, after the missed packets. A client that was not restored joins its room again, as an
   * application does on {@code connect} when {@code socket.recovered} is false.
   */
  @Override
  public Future<Void> connectRecovering(Generator gen, int process, StormClient c) {
    Promise<Void> joined = Promise.promise();
    java.util.function.BiConsumer<ClientWebSocket, Buffer> frames = (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        c.onMessage(frame, at, -1);
        String offset = lastArgument(frame.toString());
        if (offset != null) {
          c.position = offset;
        }
      } else if (frame.length() == 1 && frame.getByte(0) == '2') {
        ws.writeTextMessage("3");
      } else if (WsConnect.startsWith(frame, "0{")) {
        c.welcomed();
        ws.writeTextMessage(c.session != null && c.position != null
            ? "40" + new JsonObject().put("pid", c.session).put("offset", c.position).encode() : "40");
      } else if (WsConnect.startsWith(frame, "40")) {
        String pid = frame.length() > 2 ? new JsonObject(frame.getString(2, frame.length())).getString("pid") : null;
        if (pid != null && pid.equals(c.session)) {
          c.subscribed(true, -1);
          joined.tryComplete();
        } else {
          c.session = pid;
          ws.writeTextMessage("421[\"join\",\"" + c.channel() + "\"]");
        }
      } else if (WsConnect.startsWith(frame, "431")) {
        c.subscribed(false, -1);
        joined.tryComplete();
      } else if (WsConnect.startsWith(frame, "44")) {
        joined.tryFail("connect refused: " + frame);
      }
    };
    return WsConnect.open(gen, c.context(), tls, ports.get(process), PATH, frames, closed -> {
      if (!joined.tryFail("closed before joining")) {
        c.closed();
      }
    }).compose(ws -> {
      c.socket(ws);
      return joined.future();
    });
  }

  /** The offset a recovering server appends to an event ({@code 42["message","…","<ms>-<seq>"]}), or null. */
  static String lastArgument(String text) {
    int end = text.lastIndexOf("\"]");
    int start = end > 0 ? text.lastIndexOf(",\"", end) : -1;
    if (start < 0) {
      return null;
    }
    String v = text.substring(start + 2, end);
    return v.matches("[0-9]+-[0-9]+") ? v : null;
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
