package chatcluster.node.testing;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Node processes on loopback sharing one environment (a Redis, a key prefix) and one YAML config,
 * each on a free port with its own id; started together, ready-checked, stopped by PID.
 */
public final class NodeCluster implements AutoCloseable {
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final int[] ports;
  private final Vertx vertx = Vertx.vertx();
  private final List<WsClient> clients = new ArrayList<>();

  private NodeCluster(int size) {
    this.ports = new int[size];
  }

  /**
   * Starts {@code size} nodes with {@code env} (plus WEBSOCKET_HOST/PORT and NODE_ID {@code idPrefix-i})
   * and {@code yaml} as their config file, and waits until all are ready.
   */
  public static NodeCluster start(int size, String idPrefix, Map<String, String> env, String yaml) throws Exception {
    NodeCluster cluster = new NodeCluster(size);
    try {
      Path config = Files.createTempFile("node-cluster", ".yaml");
      Files.writeString(config, yaml);
      for (int i = 0; i < size; i++) {
        cluster.ports[i] = NodeProcess.freePort();
        Map<String, String> all = new HashMap<>(env);
        all.put("WEBSOCKET_HOST", "127.0.0.1");
        all.put("WEBSOCKET_PORT", String.valueOf(cluster.ports[i]));
        all.put("NODE_ID", idPrefix + "-" + i);
        cluster.nodes.add(NodeProcess.start(all, "--config", config.toString()));
      }
      for (int i = 0; i < size; i++) {
        cluster.nodes.get(i).awaitReady(cluster.ports[i], Duration.ofSeconds(60));
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public int port(int i) {
    return ports[i];
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Closes {@code c} with the cluster. */
  public WsClient track(WsClient c) {
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /** An open client on node {@code i}, closed with the cluster. */
  public WsClient open(int i) {
    WsClient c = WsClient.to(vertx, ports[i]).open();
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /** Sends a signal (STOP, CONT, KILL) to node {@code i} with the kill binary. */
  public void signal(int i, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(nodes.get(i).pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " failed");
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(WsClient::close);
    }
    nodes.forEach(NodeProcess::close);
    vertx.close();
  }
}
