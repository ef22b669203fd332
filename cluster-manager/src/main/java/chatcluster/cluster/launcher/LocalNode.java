package chatcluster.cluster.launcher;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One node process of the local cluster: its id, WebSocket port and Hazelcast port on 127.0.0.1.
 *
 * @param id          NODE_ID
 * @param port        WebSocket port
 * @param clusterPort Hazelcast port
 * @param process     the running JVM
 */
record LocalNode(String id, int port, int clusterPort, ManagedProcess process) {

  String address() {
    return "127.0.0.1:" + port;
  }

  ClusterStatus.Node status() {
    return new ClusterStatus.Node(id, process.pid(), port, clusterPort, process.log().toString());
  }

  /** Waits until {@code /health/ready} answers 200: the node has joined Redis and its cluster. */
  void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(id + " exited with status " + process.process().exitValue() + "; its log "
            + process.log() + " ends:\n" + process.tail(20));
      }
      if (readyStatus() == 200) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IOException(id + " not ready within " + timeout.toSeconds() + " s; see " + process.log());
  }

  private int readyStatus() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address() + "/health/ready").toURL()
          .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }
}
