package chatcluster.cluster.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster on this machine: Redis (private or {@code REDIS_URL}), node processes on free
 * loopback ports joined in one Hazelcast cluster, nginx in front. {@link #up()} starts it,
 * {@link #scale(int)} grows or shrinks it, {@link #stop()} stops every process it started.
 *
 * <p>Thread safety: every public method is synchronized; node exits are watched on a thread of the
 * cluster's own. A node that exits on its own is taken out of nginx's upstream.
 */
public final class LocalCluster {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  /** A node drains its clients over drainTimeout (10 s by default) before it exits. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(40);

  private final LauncherOptions options;
  private final Executables programs;
  private final Path logDir;
  private final List<LocalNode> nodes = new ArrayList<>();
  private final ExecutorService watcher = Executors.newSingleThreadExecutor(r -> daemon(r, "node-watcher"));
  private RedisServer redis;
  private Nginx nginx;
  private int lastNodeNumber;
  /** The nodes' admin token: ADMIN_TOKEN when set, else a random development one. */
  private final String adminToken = adminToken();
  private boolean stopping;

  public LocalCluster(LauncherOptions options, Executables programs) {
    this.options = options;
    this.programs = programs;
    this.logDir = options.stateDir().resolve("logs");
  }

  /** Starts Redis, the nodes and nginx; on failure stops what it started and throws. */
  public synchronized ClusterStatus up() throws Exception {
    Path nginxBinary = programs.require("nginx", "nginx", "to balance clients over the nodes");
    String redisUrl = System.getenv("REDIS_URL");
    Path redisBinary = redisUrl == null || redisUrl.isBlank()
        ? programs.require("redis-server", "redis-server", "by the nodes to share messages; or set REDIS_URL")
        : null;
    Path cert = options.tlsCert();
    Path key = options.tlsKey();
    if (options.tls() && cert == null) {
      SelfSignedCertificate c = SelfSignedCertificate.create(
          programs.require("openssl", "openssl", "to make a certificate for --tls; or pass --tls-cert and --tls-key"),
          options.stateDir().resolve("tls"));
      cert = c.cert();
      key = c.key();
    }
    checkFiles();
    checkPortFree();
    Files.createDirectories(logDir);
    try {
      redis = redisBinary == null ? RedisServer.external(redisUrl)
          : RedisServer.start(redisBinary, options.stateDir(), logDir);
      log.info("redis at {}; starting {} nodes", redis.url(), options.nodes());
      nodes.addAll(startNodes(options.nodes()));
      nginx = new Nginx(nginxBinary, options.stateDir(), logDir, options.host(), options.port(), cert, key);
      nginx.start(addresses());
      watch(nginx.process());
      return status();
    } catch (Exception e) {
      stop();
      throw e;
    }
  }

  /** Adds nodes (started and ready before nginx sends them clients) or drains the newest ones. */
  public synchronized ClusterStatus scale(int target) throws Exception {
    if (stopping) {
      throw new IllegalStateException("the cluster is stopping");
    }
    if (target > nodes.size()) {
      nodes.addAll(startNodes(target - nodes.size()));
      nginx.reload(addresses());
      log.info("scaled up to {} nodes", nodes.size());
    } else if (target < nodes.size()) {
      List<LocalNode> leaving = new ArrayList<>(nodes.subList(target, nodes.size()));
      nodes.removeAll(leaving);
      // Out of the upstream first, so nginx sends no new client to a node that drains.
      nginx.reload(addresses());
      log.info("draining {}", leaving.stream().map(LocalNode::id).collect(Collectors.joining(", ")));
      stopNodes(leaving);
      log.info("scaled down to {} nodes", nodes.size());
    }
    return status();
  }

  public synchronized ClusterStatus status() {
    String scheme = options.tls() ? "wss" : "ws";
    String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
    return new ClusterStatus(scheme + "://" + host + ":" + options.port() + "/ws", options.clusterName(),
        redis == null ? "" : redis.url(), redis == null ? 0 : redis.pid(),
        nginx == null || nginx.process() == null ? 0 : nginx.process().pid(),
        nginx == null ? "" : nginx.prefix().toString(), logDir.toString(),
        nodes.stream().map(LocalNode::status).toList(),
        (options.tls() ? "https" : "http") + "://" + host + ":" + options.port() + "/admin/",
        adminTokenGiven() ? "" : adminToken);
  }

  private static boolean adminTokenGiven() {
    String given = System.getenv("ADMIN_TOKEN");
    return given != null && !given.isBlank();
  }

  private static String adminToken() {
    String given = System.getenv("ADMIN_TOKEN");
    if (given != null && !given.isBlank()) {
      return given;
    }
    java.security.SecureRandom random = new java.security.SecureRandom();
    StringBuilder token = new StringBuilder("dev-");
    for (int i = 0; i < 24; i++) {
      token.append("0123456789abcdefghijklmnopqrstuvwxyz".charAt(random.nextInt(36)));
    }
    return token.toString();
  }

  /** Stops nginx, drains every node, stops Redis: each by its own PID. Safe to call twice. */
  public void stop() {
    List<LocalNode> toStop;
    Nginx nginxToStop;
    RedisServer redisToStop;
    synchronized (this) {
      stopping = true;
      toStop = new ArrayList<>(nodes);
      nodes.clear();
      nginxToStop = nginx;
      redisToStop = redis;
      nginx = null;
      redis = null;
    }
    watcher.shutdownNow();
    if (nginxToStop == null && redisToStop == null && toStop.isEmpty()) {
      return;
    }
    log.info("stopping nginx, {} node{} and Redis", toStop.size(), toStop.size() == 1 ? "" : "s");
    if (nginxToStop != null) {
      nginxToStop.stop();
    }
    stopNodes(toStop);
    if (redisToStop != null) {
      redisToStop.stop();
    }
    log.info("stopped");
  }

  private List<LocalNode> startNodes(int count) throws Exception {
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(ManagedProcess.freePort());
    }
    List<String> members = new ArrayList<>();
    nodes.forEach(n -> members.add("127.0.0.1:" + n.clusterPort()));
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    List<LocalNode> started = new ArrayList<>();
    try {
      for (int clusterPort : clusterPorts) {
        started.add(startNode("node-" + (++lastNodeNumber), clusterPort, String.join(",", members)));
      }
      for (int i = 0; i < started.size(); i++) {
        for (int attempt = 1; ; attempt++) {
          LocalNode n = started.get(i);
          try {
            n.awaitReady(READY_TIMEOUT);
            log.info("{} ready on {} (log {})", n.id(), n.address(), n.process().log());
            break;
          } catch (IOException e) {
            // Its port was free when chosen, but an outgoing connection (ports come from the same
            // range) may take it before the JVM binds it: another port, at most twice more.
            if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("WEBSOCKET_PORT")
                || !e.getMessage().contains("already in use")) {
              throw e;
            }
            log.warn("{}: port {} was taken before the node bound it; starting it on another", n.id(), n.port());
            started.set(i, startNode(n.id(), n.clusterPort(), String.join(",", members)));
          }
        }
      }
    } catch (Exception e) {
      stopNodes(started);
      throw e;
    }
    started.forEach(n -> watch(n.process()));
    return started;
  }

  private LocalNode startNode(String id, int clusterPort, String members) throws IOException {
    int port = ManagedProcess.freePort();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + options.nodeHeap(),
        // docs/operations.md "Memory": G1 gives back what an idle node does not use
        "-XX:G1PeriodicGCInterval=5000", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20",
        "-jar", options.nodeJar().toString()));
    if (options.config() != null) {
      cmd.addAll(List.of("--config", options.config().toString()));
    }
    Map<String, String> env = new HashMap<>();
    env.put("WEBSOCKET_HOST", "127.0.0.1");
    env.put("WEBSOCKET_PORT", String.valueOf(port));
    env.put("NODE_ID", id);
    env.put("REDIS_URL", redis.url());
    env.put("CLUSTER_NAME", options.clusterName());
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("CLUSTER_MEMBERS", members);
    // A development cluster: the chat page and quick tests name users with ?user= (claimed identities,
    // insecure, off by default in a node). Set WEBSOCKET_AUTH_CLAIMED_IDENTITY=false to try real tokens.
    String claimed = System.getenv("WEBSOCKET_AUTH_CLAIMED_IDENTITY");
    env.put("WEBSOCKET_AUTH_CLAIMED_IDENTITY", claimed == null || claimed.isBlank() ? "true" : claimed);
    env.put("ADMIN_TOKEN", adminToken);
    String trusted = System.getenv("TRUSTED_PROXIES");
    // nginx reaches the nodes from the loopback address: only it may name the client's address.
    env.put("TRUSTED_PROXIES", trusted == null || trusted.isBlank() ? "127.0.0.1" : "127.0.0.1," + trusted);
    ManagedProcess p = ManagedProcess.start(id, cmd, env, options.stateDir().resolve("nodes").resolve(id),
        logDir.resolve(id + ".log"));
    return new LocalNode(id, port, clusterPort, p);
  }

  private void stopNodes(List<LocalNode> list) {
    if (list.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(list.size(), r -> daemon(r, "node-stop"));
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (LocalNode n : list) {
        done.add(pool.submit(() -> n.process().stop(DRAIN_GRACE)));
      }
      for (int i = 0; i < list.size(); i++) {
        try {
          if (!done.get(i).get()) {
            log.warn("{} did not exit within {} s of SIGTERM: killed", list.get(i).id(), DRAIN_GRACE.toSeconds());
          }
        } catch (Exception e) {
          log.warn("stopping {} failed: {}", list.get(i).id(), e.toString());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void watch(ManagedProcess p) {
    p.process().onExit().thenRunAsync(() -> handleExit(p), watcher);
  }

  private synchronized void handleExit(ManagedProcess p) {
    if (stopping) {
      return;
    }
    if (nginx != null && p == nginx.process()) {
      log.error("nginx exited with status {}; see {}", p.process().exitValue(), logDir.resolve("nginx-error.log"));
      return;
    }
    LocalNode node = nodes.stream().filter(n -> n.process() == p).findFirst().orElse(null);
    if (node == null) {
      return;
    }
    nodes.remove(node);
    log.warn("{} (pid {}) exited with status {}; removed from nginx, {} nodes left (scale to replace it)",
        node.id(), p.pid(), p.process().exitValue(), nodes.size());
    if (nginx == null) {
      return;
    }
    try {
      nginx.reload(addresses());
    } catch (Exception e) {
      log.error("could not reload nginx without {}: {}", node.id(), e.getMessage());
    }
  }

  private List<String> addresses() {
    return nodes.stream().map(LocalNode::address).toList();
  }

  private void checkFiles() throws IOException {
    if (!Files.isRegularFile(options.nodeJar())) {
      throw new IOException("node jar not found: " + options.nodeJar()
          + " (build it with 'mvn -B -DskipTests package', or pass --node-jar FILE)");
    }
    if (options.config() != null && !Files.isReadable(options.config())) {
      throw new IOException("config file not readable: " + options.config());
    }
    for (Path p : new Path[] {options.tlsCert(), options.tlsKey()}) {
      if (p != null && !Files.isReadable(p)) {
        throw new IOException("TLS file not readable: " + p);
      }
    }
  }

  private void checkPortFree() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()));
    } catch (IOException e) {
      throw new IOException("port " + options.port() + " on " + options.host()
          + " is taken; choose another with --port (" + e.getMessage() + ")");
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
