package chatcluster.cluster.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher's private nginx: runs in the foreground (not as a daemon) with its prefix, pid file,
 * temp directories and logs in the state directory. Changing the upstream rewrites the site file and
 * reloads: the old workers keep their WebSocket connections until those close, new connections see
 * the new upstream.
 */
final class Nginx {
  private static final Logger log = LoggerFactory.getLogger(Nginx.class);

  private final Path binary;
  private final Path dir;
  private final Path logDir;
  private final String host;
  private final int port;
  private final Path cert;
  private final Path key;
  private ManagedProcess process;

  Nginx(Path binary, Path stateDir, Path logDir, String host, int port, Path cert, Path key) {
    this.binary = binary;
    this.dir = stateDir.resolve("nginx");
    this.logDir = logDir;
    this.host = host;
    this.port = port;
    this.cert = cert;
    this.key = key;
  }

  Path mainConfig() {
    return dir.resolve("nginx.conf");
  }

  Path siteConfig() {
    return dir.resolve("chatcluster.conf");
  }

  Path prefix() {
    return dir;
  }

  ManagedProcess process() {
    return process;
  }

  void start(List<String> nodes) throws IOException, InterruptedException {
    for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Files.createDirectories(dir.resolve("nginx-temp").resolve(t));
    }
    Files.writeString(mainConfig(), NginxConfig.main(dir, logDir));
    writeSite(nodes);
    List<String> cmd = command();
    cmd.addAll(List.of("-g", "daemon off;"));
    process = ManagedProcess.start("nginx", cmd, Map.of(), dir, logDir.resolve("nginx.log"));
    process.awaitListening(host.equals("0.0.0.0") ? "127.0.0.1" : host, port, Duration.ofSeconds(20));
  }

  /** Points the upstream at {@code nodes} and reloads; fails when nginx rejects the configuration. */
  void reload(List<String> nodes) throws IOException, InterruptedException {
    writeSite(nodes);
    List<String> cmd = command();
    cmd.addAll(List.of("-s", "reload"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("nginx reload failed: " + out.trim());
    }
    log.debug("nginx reloaded with upstream {}", nodes);
  }

  void stop() {
    if (process != null) {
      // SIGTERM is nginx's fast shutdown: the master closes its workers and their connections.
      process.stop(Duration.ofSeconds(10));
    }
  }

  private void writeSite(List<String> nodes) throws IOException {
    Path tmp = dir.resolve("chatcluster.conf.tmp");
    Files.writeString(tmp, NginxConfig.site(host + ":" + port, nodes, cert, key));
    Files.move(tmp, siteConfig(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private List<String> command() {
    return new ArrayList<>(List.of(binary.toString(), "-p", dir + "/", "-c", mainConfig().toString(),
        "-e", logDir.resolve("nginx-error.log").toString()));
  }
}
