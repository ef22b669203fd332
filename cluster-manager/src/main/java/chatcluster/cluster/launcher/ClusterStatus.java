package chatcluster.cluster.launcher;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a running launcher reports: the public URL, Redis, nginx and every node with its PID, ports
 * and log file. Travels between the launcher and {@code status}/{@code scale} as Java properties,
 * and prints as the short table the launcher shows.
 *
 * @param publicUrl   the URL clients connect to (through nginx)
 * @param clusterName the nodes' Hazelcast cluster name
 * @param redisUrl    the Redis the nodes share
 * @param redisPid    PID of the private redis-server, 0 when REDIS_URL named an external one
 * @param nginxPid    PID of the nginx master process
 * @param nginxPrefix nginx's prefix directory (holds nginx.conf and chatcluster.conf)
 * @param logDir      directory of every log file
 * @param nodes       the nodes in the nginx upstream
 * @param consoleUrl  the operations console (through nginx)
 * @param adminToken  the development admin token the launcher made for its nodes, or "" when ADMIN_TOKEN was
 *                    given (an operator's token is neither printed nor written to the status file)
 */
public record ClusterStatus(String publicUrl, String clusterName, String redisUrl, long redisPid, long nginxPid,
    String nginxPrefix, String logDir, List<Node> nodes, String consoleUrl, String adminToken) {

  /**
   * One node process.
   *
   * @param id          its NODE_ID
   * @param pid         its process id
   * @param port        its WebSocket port (127.0.0.1)
   * @param clusterPort its Hazelcast port
   * @param log         its log file
   */
  public record Node(String id, long pid, int port, int clusterPort, String log) {}

  public String toProperties() {
    Properties p = new Properties();
    p.setProperty("publicUrl", publicUrl);
    p.setProperty("clusterName", clusterName);
    p.setProperty("redisUrl", redisUrl);
    p.setProperty("redisPid", String.valueOf(redisPid));
    p.setProperty("nginxPid", String.valueOf(nginxPid));
    p.setProperty("nginxPrefix", nginxPrefix);
    p.setProperty("logDir", logDir);
    p.setProperty("nodes", String.valueOf(nodes.size()));
    p.setProperty("consoleUrl", consoleUrl);
    p.setProperty("adminToken", adminToken);
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      p.setProperty("node." + i + ".id", n.id());
      p.setProperty("node." + i + ".pid", String.valueOf(n.pid()));
      p.setProperty("node." + i + ".port", String.valueOf(n.port()));
      p.setProperty("node." + i + ".clusterPort", String.valueOf(n.clusterPort()));
      p.setProperty("node." + i + ".log", n.log());
    }
    StringWriter out = new StringWriter();
    try {
      p.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static ClusterStatus fromProperties(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Node> nodes = new ArrayList<>();
    int count = Integer.parseInt(p.getProperty("nodes", "0"));
    for (int i = 0; i < count; i++) {
      nodes.add(new Node(p.getProperty("node." + i + ".id"), Long.parseLong(p.getProperty("node." + i + ".pid")),
          Integer.parseInt(p.getProperty("node." + i + ".port")),
          Integer.parseInt(p.getProperty("node." + i + ".clusterPort")), p.getProperty("node." + i + ".log")));
    }
    return new ClusterStatus(p.getProperty("publicUrl"), p.getProperty("clusterName"), p.getProperty("redisUrl"),
        Long.parseLong(p.getProperty("redisPid", "0")), Long.parseLong(p.getProperty("nginxPid", "0")),
        p.getProperty("nginxPrefix"), p.getProperty("logDir"), List.copyOf(nodes), p.getProperty("consoleUrl", ""),
        p.getProperty("adminToken", ""));
  }

  /** The status table the launcher prints. */
  public String table() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("ChatCluster %s: %d node%s behind nginx%n", clusterName, nodes.size(),
        nodes.size() == 1 ? "" : "s"));
    s.append(String.format("  public URL  %s%n", publicUrl));
    // Only a development token the launcher made is printed (empty here: the operator gave ADMIN_TOKEN).
    String shown = adminToken.isEmpty() ? "from ADMIN_TOKEN" : adminToken;
    s.append(String.format("  console     %s  (admin token %s)%n", consoleUrl, shown));
    s.append(String.format("  redis       %s%s%n", redisUrl, redisPid > 0 ? "  (pid " + redisPid + ")" : "  (REDIS_URL)"));
    s.append(String.format("  nginx       pid %d, config %s/chatcluster.conf%n", nginxPid, nginxPrefix));
    s.append(String.format("  logs        %s%n%n", logDir));
    s.append(String.format("  %-10s %-8s %-17s %-17s %s%n", "NODE", "PID", "WEBSOCKET", "HAZELCAST", "LOG"));
    for (Node n : nodes) {
      s.append(String.format("  %-10s %-8d %-17s %-17s %s%n", n.id(), n.pid(), "127.0.0.1:" + n.port(),
          "127.0.0.1:" + n.clusterPort(), n.log()));
    }
    return s.toString();
  }
}
