package chatcluster.node.relay;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend relay on a Unix domain socket, as PHP backends use it: write one JSON action (or an
 * array), bare or newline-terminated, and read {@code OK}/{@code ERR} (bare) or {@code OK\n}/
 * {@code ERR <code> <reason>\n} (newline-terminated). A connection may carry many requests; answers
 * come in request order. The socket file is made mode 0660; a stale one from a crash is replaced.
 */
public final class UnixSocketRelayEndpoint {
  private static final Logger log = LoggerFactory.getLogger(UnixSocketRelayEndpoint.class);
  /** How long a request that ends exactly at the end of what was read waits for its newline. */
  static final long TERMINATOR_WAIT_MS = 15;
  /** Requests a connection may have in flight before reading from it pauses. */
  private static final int MAX_IN_FLIGHT = 64;
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Vertx vertx;
  private final RelayService relay;
  private final Path path;
  private final int maxBody;
  private NetServer server;

  public UnixSocketRelayEndpoint(Vertx vertx, RelayService relay, Path path, int maxBody) {
    this.vertx = vertx;
    this.relay = relay;
    this.path = path;
    this.maxBody = maxBody;
  }

  public Future<Void> start() {
    return vertx.executeBlocking(() -> {
      removeStaleSocket();
      return null;
    }).compose(v -> {
      server = vertx.createNetServer().connectHandler(this::handle);
      return server.listen(SocketAddress.domainSocketAddress(path.toString()));
    }).compose(s -> vertx.executeBlocking(() -> {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      return null;
    })).<Void>mapEmpty().onSuccess(v -> log.info("backend relay listening on unix socket {}", path));
  }

  /** Blocking: a socket file left by a crash is removed; anything else at the path is an error. */
  private void removeStaleSocket() throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      Path dir = path.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        // Not created here: a directory made as whatever user the node runs as is a permission surprise.
        throw new IOException("the directory of the relay socket " + path + " does not exist; create it with the"
            + " owner and mode the backends need");
      }
      return;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new IOException("relay socket path " + path + " exists and is not a socket; refusing to replace it");
    }
    log.warn("replacing stale relay socket {}", path);
    Files.delete(path);
  }

  private void handle(NetSocket socket) {
    new Connection(socket).start();
  }

  /** One backend connection: framing, in-order answers, bounded work in flight. */
  private final class Connection {
    private final NetSocket socket;
    private final SocketFraming framing = new SocketFraming();
    private Future<Void> tail = Future.succeededFuture();
    private int inFlight;
    private long waitTimer = -1;
    private boolean closed;

    Connection(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      socket.handler(this::received);
      // A backend that half-closes after writing (printf … | nc -U) still has its last request applied:
      // at the end of its stream, what is buffered counts as complete. (Its answer cannot reach it: the
      // socket closes with the stream.)
      socket.endHandler(v -> {
        if (waitTimer >= 0) {
          vertx.cancelTimer(waitTimer);
          waitTimer = -1;
        }
        drain(true);
      });
      socket.closeHandler(v -> closed = true);
      socket.exceptionHandler(e -> log.debug("relay socket connection error: {}", e.toString()));
    }

    private void received(Buffer data) {
      if (waitTimer >= 0) {
        vertx.cancelTimer(waitTimer);
        waitTimer = -1;
      }
      framing.append(data);
      drain(false);
    }

    private void drain(boolean endOfWait) {
      while (!closed) {
        SocketFraming.Scan scan = framing.scan(endOfWait);
        if (scan == SocketFraming.Scan.COMPLETE) {
          answer(framing.take());
          endOfWait = false;
          continue;
        }
        if (framing.buffered() > maxBody) {
          reply(new ChatException(ErrorCode.TOO_LARGE, "request larger than " + maxBody + " bytes"), true);
          socket.end();
          closed = true;
          return;
        }
        if (scan == SocketFraming.Scan.AWAIT_TERMINATOR) {
          waitTimer = vertx.setTimer(TERMINATOR_WAIT_MS, t -> {
            waitTimer = -1;
            drain(true);
          });
        }
        return;
      }
    }

    /** Requests of one connection are applied one after the other, so pushes keep their order. */
    private void answer(SocketFraming.Request request) {
      if (++inFlight >= MAX_IN_FLIGHT) {
        socket.pause();
      }
      tail = tail.transform(ignored -> {
        Future<Void> outcome;
        try {
          outcome = relay.apply(RelayService.parse(request.body()));
        } catch (ChatException e) {
          outcome = Future.failedFuture(e);
        }
        return outcome;
      }).transform(ar -> {
        if (ar.succeeded()) {
          socket.write(request.newline() ? "OK\n" : "OK");
        } else {
          reply(ar.cause(), request.newline());
        }
        if (--inFlight < MAX_IN_FLIGHT) {
          socket.resume();
        }
        return Future.<Void>succeededFuture();
      });
    }

    private void reply(Throwable cause, boolean newline) {
      if (!newline) {
        socket.write("ERR");
        return;
      }
      ChatException e = cause instanceof ChatException ce ? ce : new ChatException(ErrorCode.INTERNAL, "internal error");
      if (!(cause instanceof ChatException)) {
        log.error("relay action failed", cause);
      }
      socket.write("ERR " + e.code().wire() + " " + e.getMessage().replace('\n', ' ') + "\n");
    }
  }

  public Future<Void> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.compose(v -> vertx.executeBlocking(() -> {
      Files.deleteIfExists(path);
      return null;
    })).mapEmpty();
  }
}
