package chatcluster.node;

import chatcluster.node.config.ConfigException;
import chatcluster.node.config.ConfigLoader;
import chatcluster.node.config.NodeConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar chatcluster-node.jar [--config FILE] [--flag value …]}: reads the configuration,
 * starts a node, and drains it on SIGTERM. Exit status 2 for a configuration error, 1 when the node
 * cannot start.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    NodeConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("chatcluster: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config.debug()) {
      Logging.enableDebug();
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    ChatNode node = ChatNode.builder().config(config).build();
    try {
      node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.error("node failed to start: {}", cause.getMessage());
      System.exit(cause instanceof ConfigException ? 2 : 1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, config.drainTimeout(), log), "drain"));
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
