package chatcluster.cluster.launcher;

import chatcluster.cluster.BuildInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local launcher's entry point ({@code java -jar chatcluster-cluster-manager.jar <command>}):
 * {@code up} runs a {@link LocalCluster} in the foreground until Ctrl-C, SIGTERM or {@code down};
 * {@code scale}, {@code status} and {@code down} talk to it through its {@link ControlFile}. Exit
 * status 0 on success, 1 on failure, 2 on a wrong command line.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "chatcluster/launcher/logback-launcher.xml");
    }
    int status = run(args);
    if (status >= 0) {
      System.exit(status);
    }
  }

  /** Runs a command; returns the exit status, or -1 when {@code up} keeps running in the foreground. */
  static int run(String[] args) {
    LauncherOptions options;
    try {
      options = LauncherOptions.parse(args);
    } catch (LauncherOptions.UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("run with --help to see every command and flag");
      return 2;
    }
    Logger log = LoggerFactory.getLogger(Launcher.class);
    try {
      switch (options.command()) {
        case "help" -> System.out.print(LauncherOptions.usage());
        case LauncherOptions.VERSION -> System.out.println(BuildInfo.versionLine("chatcluster-cluster-manager"));
        case "up" -> up(options);
        case "scale" -> System.out.print(ControlClient.find(options.stateDir()).scale(options.nodes()).table());
        case "status" -> System.out.print(ControlClient.find(options.stateDir()).status().table());
        case "down" -> {
          ControlClient c = ControlClient.find(options.stateDir());
          c.down();
          if (!c.awaitExit(Duration.ofSeconds(90))) {
            log.error("the launcher did not stop within 90 s");
            return 1;
          }
          System.out.println("stopped");
        }
        default -> throw new IllegalStateException(options.command());
      }
      return 0;
    } catch (Executables.MissingProgramException e) {
      log.error(e.getMessage());
      return 1;
    } catch (Exception e) {
      log.error("{} failed: {}", options.command(), e.getMessage());
      return 1;
    }
  }

  private static void up(LauncherOptions options) throws Exception {
    Logger log = LoggerFactory.getLogger(Launcher.class);
    var running = ControlFile.readLive(options.stateDir());
    if (running.isPresent()) {
      throw new IOException("a launcher (pid " + running.get().pid() + ") already runs with state directory "
          + options.stateDir() + ": use scale, status or down, or start another with --state-dir DIR");
    }
    LocalCluster cluster = new LocalCluster(options, Executables.fromEnvironment());
    CountDownLatch stopped = new CountDownLatch(1);
    ControlServer[] control = new ControlServer[1];
    // Ctrl-C, SIGTERM and 'down' all end here: every process the launcher started is stopped by PID.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (control[0] != null) {
        control[0].stop();
      }
      cluster.stop();
      ControlFile.delete(options.stateDir());
      stopped.countDown();
    }, "launcher-stop"));
    ClusterStatus status = cluster.up();
    control[0] = new ControlServer(cluster, () -> System.exit(0));
    control[0].start();
    control[0].controlFile().write(options.stateDir());
    System.out.print(status.table());
    System.out.println();
    System.out.println("Ctrl-C stops everything. In another shell: java -jar "
        + "cluster-manager/target/chatcluster-cluster-manager.jar scale --nodes N"
        + (options.stateDir().equals(LauncherOptions.defaultStateDir()) ? "" : " --state-dir " + options.stateDir()));
    System.out.flush();
    stopped.await();
  }
}
