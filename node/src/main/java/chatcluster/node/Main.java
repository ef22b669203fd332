package chatcluster.node;

import chatcluster.cluster.BuildInfo;
import chatcluster.node.cli.AdminCommand;
import chatcluster.node.cli.TokenCommand;
import chatcluster.node.cli.Usage;
import chatcluster.node.config.ConfigException;
import chatcluster.node.config.ConfigLoader;
import chatcluster.node.config.NodeConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar chatcluster-node.jar [--config FILE] [--flag value …]}: reads the configuration,
 * starts a node, and drains it on SIGTERM. Exit status 2 for a configuration error, 1 when the node
 * cannot start. Also {@code --help}, {@code --version}, {@code token …} (a development JWT) and
 * {@code admin …} (the admin API from the command line).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    List<String> argList = List.of(args);
    if (args.length > 0 && args[0].equals("admin") && (argList.contains("--help") || argList.contains("-h"))) {
      System.out.print(AdminCommand.usage());
      return;
    }
    if (argList.contains("--help") || argList.contains("-h")) {
      System.out.print(Usage.text());
      return;
    }
    if (argList.contains("--version")) {
      System.out.println(BuildInfo.versionLine("chatcluster-node"));
      return;
    }
    if (args.length > 0 && args[0].equals("admin")) {
      System.exit(AdminCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("token")) {
      try {
        System.out.println(TokenCommand.mint(Arrays.copyOfRange(args, 1, args.length), System.getenv()));
        System.exit(0);
      } catch (ConfigException e) {
        exitWithConfigError(e);
      }
      return;
    }
    NodeConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigException e) {
      exitWithConfigError(e);
      return;
    }
    Logging.configure(config);
    Logger log = LoggerFactory.getLogger(Main.class);
    chatcluster.node.ops.IdleMemory.apply(log);
    ChatNode node = ChatNode.builder().config(config).build();
    try {
      node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ConfigException problem) {
        exitWithConfigError(problem);
      }
      log.error("node failed to start: {}", cause.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, config.drainTimeout(), log), "drain"));
  }

  private static void exitWithConfigError(ConfigException e) {
    System.err.println("chatcluster: configuration error: " + e.getMessage());
    System.err.println("(java -jar chatcluster-node.jar --help lists every option)");
    System.exit(2);
  }

  private static void shutdown(ChatNode node, Duration window, Logger log) {
    log.info("signal received: draining for up to {} s", window.toSeconds());
    try {
      node.drain(window).toCompletionStage().toCompletableFuture()
          .get(window.toMillis() + 10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("drain did not finish cleanly: {}", e.toString());
    }
    try {
      node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("stop did not finish cleanly: {}", e.toString());
    }
    log.info("node stopped");
  }
}
