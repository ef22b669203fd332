package chatcluster.cluster.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Talks to a running launcher found through its state directory: what {@code scale}, {@code status}
 * and {@code down} use, and tests too. Calls block until the launcher answers.
 */
public final class ControlClient {
  private final ControlFile control;

  private ControlClient(ControlFile control) {
    this.control = control;
  }

  public static ControlClient find(Path stateDir) throws IOException {
    return new ControlClient(ControlFile.readLive(stateDir).orElseThrow(() -> new IOException(
        "no launcher is running with state directory " + stateDir + " (start one with 'up', or pass the "
            + "--state-dir it was started with)")));
  }

  public ClusterStatus status() throws IOException {
    return ClusterStatus.fromProperties(call("GET", "/status"));
  }

  public ClusterStatus scale(int nodes) throws IOException {
    return ClusterStatus.fromProperties(call("POST", "/scale?nodes=" + nodes));
  }

  public void down() throws IOException {
    call("POST", "/down");
  }

  /** Waits until the launcher's process has exited. */
  boolean awaitExit(java.time.Duration timeout) {
    return ProcessHandle.of(control.pid()).map(h -> {
      try {
        h.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    }).orElse(true);
  }

  private String call(String method, String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + control.port() + path).toURL()
        .openConnection();
    c.setRequestMethod(method);
    c.setRequestProperty(ControlServer.TOKEN_HEADER, control.token());
    c.setConnectTimeout(2_000);
    // Starting nodes or draining them takes a while.
    c.setReadTimeout(300_000);
    try {
      int status = c.getResponseCode();
      InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
      String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (status != 200) {
        throw new IOException("launcher answered " + status + ": " + body.trim());
      }
      return body;
    } finally {
      c.disconnect();
    }
  }
}
