package chatcluster.cluster.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The launcher's command line: one subcommand and its flags, parsed and checked. {@link #usage()} is
 * the {@code --help} text and lists every subcommand and flag.
 *
 * @param command    {@code up}, {@code scale}, {@code status}, {@code down} or {@code help}
 * @param nodes      nodes to run ({@code up}, {@code scale})
 * @param port       port nginx listens on
 * @param host       address nginx binds to
 * @param tls        whether nginx terminates TLS
 * @param tlsCert    PEM certificate for TLS (else a self-signed one is made with openssl)
 * @param tlsKey     PEM private key of that certificate
 * @param config     YAML configuration handed to every node
 * @param nodeJar    the node's runnable jar
 * @param stateDir   where the launcher keeps logs, rendered configuration and its control file
 * @param clusterName Hazelcast cluster name of the nodes
 * @param nodeHeap   maximum heap of each node JVM ({@code -Xmx})
 */
public record LauncherOptions(String command, int nodes, int port, String host, boolean tls, Path tlsCert,
    Path tlsKey, Path config, Path nodeJar, Path stateDir, String clusterName, String nodeHeap) {

  static final List<String> COMMANDS = List.of("up", "scale", "status", "down", "help");
  /** The command {@code --version} stands for. */
  static final String VERSION = "version";
  static final int MAX_NODES = 32;

  /** A command line the launcher cannot run; the message says what is wrong. */
  public static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** The default state directory: one per user, under the temporary directory. */
  static Path defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "chatcluster-local-" + System.getProperty("user.name", "user"));
  }

  /** The default node jar: {@code node/target/chatcluster-node.jar} beside this jar's module, else under the cwd. */
  static Path defaultNodeJar() {
    Path relative = Path.of("node", "target", "chatcluster-node.jar");
    Optional<Path> ownJar = Optional.ofNullable(Launcher.class.getProtectionDomain().getCodeSource())
        .map(s -> {
          try {
            return Path.of(s.getLocation().toURI());
          } catch (Exception e) {
            return null;
          }
        });
    // cluster-manager/target/chatcluster-cluster-manager.jar -> the repository root is three levels up.
    Optional<Path> besideOwn = ownJar.map(Path::toAbsolutePath).map(Path::getParent).map(Path::getParent)
        .map(Path::getParent).map(root -> root.resolve(relative)).filter(p -> p.toFile().isFile());
    return besideOwn.orElse(relative.toAbsolutePath());
  }

  public static LauncherOptions parse(String... args) throws UsageException {
    if (args.length == 0) {
      return parse("help");
    }
    List<String> rest = new ArrayList<>(List.of(args));
    String command = rest.remove(0);
    if (command.equals("--help") || command.equals("-h")) {
      command = "help";
    }
    if (command.equals("--version")) {
      command = VERSION;
    }
    if (!COMMANDS.contains(command) && !command.equals(VERSION)) {
      throw new UsageException("unknown command '" + command + "': expected one of " + COMMANDS);
    }
    int nodes = command.equals("up") ? 3 : -1;
    int port = 8080;
    String host = "127.0.0.1";
    boolean tls = false;
    Path tlsCert = null;
    Path tlsKey = null;
    Path config = null;
    Path nodeJar = null;
    Path stateDir = defaultStateDir();
    String clusterName = null;
    String nodeHeap = "256m";
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String inline = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
      if (name.equals("--help") || name.equals("-h")) {
        command = "help";
        continue;
      }
      if (name.equals("--version")) {
        command = VERSION;
        continue;
      }
      if (name.equals("--tls")) {
        tls = true;
        continue;
      }
      String value = inline;
      if (value == null) {
        if (i + 1 >= rest.size()) {
          throw new UsageException(name + " needs a value");
        }
        value = rest.get(++i);
      }
      switch (name) {
        case "--nodes" -> nodes = intValue(name, value, 1, MAX_NODES);
        case "--port" -> port = intValue(name, value, 1, 65535);
        case "--host" -> host = value;
        case "--tls-cert" -> tlsCert = Path.of(value).toAbsolutePath();
        case "--tls-key" -> tlsKey = Path.of(value).toAbsolutePath();
        case "--config" -> config = Path.of(value).toAbsolutePath();
        case "--node-jar" -> nodeJar = Path.of(value).toAbsolutePath();
        case "--state-dir" -> stateDir = Path.of(value).toAbsolutePath();
        case "--cluster-name" -> clusterName = value;
        case "--node-heap" -> nodeHeap = value;
        default -> throw new UsageException("unknown flag " + name + " (see --help)");
      }
    }
    if (command.equals("scale") && nodes < 0) {
      throw new UsageException("scale needs --nodes N");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new UsageException("--tls-cert and --tls-key go together");
    }
    if (tlsCert != null) {
      tls = true;
    }
    if (!nodeHeap.matches("[0-9]+[kmgKMG]?")) {
      throw new UsageException("--node-heap must look like 256m or 1g, not " + nodeHeap);
    }
    if (command.equals("up")) {
      nodeJar = nodeJar == null ? defaultNodeJar() : nodeJar;
      clusterName = clusterName == null ? "chatcluster-local-" + Long.toHexString(System.nanoTime() & 0xffffff)
          : clusterName;
    }
    return new LauncherOptions(command, nodes, port, host, tls, tlsCert, tlsKey, config, nodeJar,
        stateDir.toAbsolutePath(), clusterName, nodeHeap);
  }

  private static int intValue(String name, String value, int min, int max) throws UsageException {
    try {
      int v = Integer.parseInt(value.trim());
      if (v < min || v > max) {
        throw new UsageException(name + " must be between " + min + " and " + max + ", not " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a number, not '" + value + "'");
    }
  }

  /** The {@code --help} text. */
  public static String usage() {
    return """
        Usage: java -jar cluster-manager/target/chatcluster-cluster-manager.jar <command> [flags]

        A ChatCluster cluster on this machine: a private redis-server (or REDIS_URL), N node processes
        joined in one Hazelcast cluster, and nginx in front of them.

        Commands:
          up        start Redis, the nodes and nginx; stays in the foreground until Ctrl-C or SIGTERM,
                    then stops everything it started
          scale     add or remove nodes of the running launcher and reload nginx (--nodes N)
          status    print the running launcher's nodes, ports, PIDs and log files
          down      stop the running launcher and everything it started
          help      print this text

        Flags:
          --nodes N            nodes to run (up: default 3; scale: required; 1 to %d)
          --port P             port nginx listens on (default 8080)
          --host ADDR          address nginx binds to (default 127.0.0.1; 0.0.0.0 for every interface)
          --tls                nginx terminates TLS (wss://, TLS 1.2 and 1.3 only); without --tls-cert a
                               self-signed certificate for localhost is made with openssl
          --tls-cert FILE      PEM certificate (chain) for --tls
          --tls-key FILE       PEM private key of that certificate
          --config FILE        YAML configuration handed to every node (--config FILE)
          --node-jar FILE      the node jar (default node/target/chatcluster-node.jar beside this jar)
          --node-heap SIZE     maximum heap of each node JVM (default 256m)
          --cluster-name NAME  Hazelcast cluster name of the nodes (default chatcluster-local-<random>)
          --state-dir DIR      logs, rendered nginx configuration and the control file
                               (default <tmp>/chatcluster-local-<user>); scale, status and down find the
                               running launcher through it
          --help, -h           print this text
          --version            print the version

        Environment: REDIS_URL uses that Redis instead of starting one; every other variable (e.g.
        WEBSOCKET_AUTH_TOKEN) is passed on to the nodes. The launcher sets WEBSOCKET_HOST, WEBSOCKET_PORT,
        NODE_ID, REDIS_URL, CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_MEMBERS and TRUSTED_PROXIES, and
        WEBSOCKET_AUTH_CLAIMED_IDENTITY=true unless given (a development cluster: ?user= names users; never
        do this in production), and ADMIN_TOKEN (a random development token unless given; the status
        table prints it with the operations console's address).
        """.formatted(MAX_NODES);
  }
}
