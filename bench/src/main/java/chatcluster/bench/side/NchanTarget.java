package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's nginx with {@code libnginx-mod-nchan}, two worker processes, messages kept in a
 * redis-server of its own ({@code nchan_redis_url}). The configuration is
 * {@code bench/peers/nchan/nginx.conf.template} rendered into the run's directory, which is also
 * nginx's prefix (pid, logs, temp files). Subscribers open a WebSocket at {@code /sub/<channel>}
 * (subscribed once upgraded) and get each message's body as a text frame; publishers POST the body
 * to {@code /pub/<channel>}. Both workers share one port, so there is a single entry point.
 */
public final class NchanTarget extends Target {
  private static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");
  private final Path template;
  private int port;
  private boolean tls;

  public NchanTarget(Path template) {
    this.template = template;
  }

  @Override
  public String name() {
    return "nchan";
  }

  @Override
  public void start(Path dir, Tls tls) throws Exception {
    String nginx = ServerProcess.require("nginx", "apt-get install nginx libnginx-mod-nchan");
    if (!Files.exists(MODULE)) {
      throw new IllegalStateException("nchan is not installed: " + MODULE + " missing (apt-get install libnginx-mod-nchan)");
    }
    this.tls = tls != null;
    int redisPort = ServerProcess.freePort();
    processes.add(ServerProcess.startRedis("nchan-redis", dir, redisPort));
    port = ServerProcess.freePort();
    Path prefix = Files.createDirectories(dir.resolve("nginx"));
    prefix.toFile().setExecutable(true, false); // workers run as an unprivileged user when started as root
    prefix.toFile().setReadable(true, false);
    long nofile = Math.max(1024, ProcStats.openFilesLimit());
    String conf = Files.readString(template)
        .replace("${MODULE}", MODULE.toString())
        .replace("${NOFILE}", String.valueOf(nofile))
        .replace("${CONNECTIONS}", String.valueOf(nofile))
        .replace("${PREFIX}", prefix.toString())
        .replace("${REDIS_URL}", "redis://127.0.0.1:" + redisPort)
        .replace("${PORT}", String.valueOf(port))
        .replace("${SSL}", tls != null ? " ssl" : "")
        .replace("${SSL_FILES}", tls != null
            ? "    ssl_certificate " + tls.cert() + ";\n    ssl_certificate_key " + tls.key() + ";\n" : "");
    Path confFile = prefix.resolve("nginx.conf");
    Files.writeString(confFile, conf);
    ServerProcess master = ServerProcess.start("nchan-nginx", List.of(nginx, "-p", prefix + "/", "-e",
        prefix.resolve("error.log").toString(), "-c", confFile.toString()), dir, Map.of(), false);
    processes.add(master);
    master.awaitPort(port, 30);
  }

  /** The master and its workers (the workers do the work). */
  @Override
  public List<Long> serverPids() {
    List<Long> pids = new ArrayList<>();
    for (long master : super.serverPids()) {
      pids.add(master);
      pids.addAll(ProcStats.children(master));
    }
    return pids;
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
    return WsConnect.open(gen, null, tls, port, "/sub/" + channel, (ws, frame) -> {
      int at = Payload.find(frame);
      if (at >= 0) {
        sub.onPayload(frame, at);
      }
    }, closed -> { }).map(ws -> {
      sub.socket(ws);
      return null;
    });
  }

  @Override
  public Future<Publisher> publisher(Generator gen, int process, List<String> channels, Tally tally) {
    Context ctx = gen.vertx().getOrCreateContext();
    return Future.succeededFuture(new Publisher() {
      @Override
      public void publish(String channel, String payload, Handler<Boolean> done) {
        gen.http().request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setSsl(tls).setURI("/pub/" + channel))
            .compose(req -> req.putHeader("Content-Type", "text/plain").send(Buffer.buffer(payload)))
            .compose(resp -> resp.body().map(body -> resp.statusCode()))
            .onComplete(ar -> done.handle(ar.succeeded() && ar.result() / 100 == 2));
      }

      @Override
      public Context context() {
        return ctx;
      }

      @Override
      public void close() {
      }
    });
  }

}
