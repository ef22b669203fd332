package chatcluster.cluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
  @Test
  void upHasDefaultsForEveryFlag() throws Exception {
    LauncherOptions o = LauncherOptions.parse("up");
    assertEquals("up", o.command());
    assertEquals(3, o.nodes());
    assertEquals(8080, o.port());
    assertEquals("127.0.0.1", o.host());
    assertFalse(o.tls());
    assertTrue(o.clusterName().startsWith("chatcluster-local-"));
    assertTrue(o.nodeJar().endsWith(Path.of("node", "target", "chatcluster-node.jar")));
  }

  @Test
  void flagsTakeSeparateOrInlineValues() throws Exception {
    LauncherOptions o = LauncherOptions.parse("up", "--nodes", "4", "--port=9090", "--tls", "--config", "c.yaml",
        "--node-jar", "/x/node.jar", "--state-dir", "/tmp/s", "--cluster-name", "dev", "--node-heap", "512m",
        "--host", "0.0.0.0");
    assertEquals(4, o.nodes());
    assertEquals(9090, o.port());
    assertTrue(o.tls());
    assertEquals(Path.of("c.yaml").toAbsolutePath(), o.config());
    assertEquals(Path.of("/x/node.jar"), o.nodeJar());
    assertEquals(Path.of("/tmp/s"), o.stateDir());
    assertEquals("dev", o.clusterName());
    assertEquals("512m", o.nodeHeap());
    assertEquals("0.0.0.0", o.host());
  }

  @Test
  void wrongCommandLinesSayWhatIsWrong() {
    assertEquals("unknown command 'start': expected one of [up, scale, status, down, help]",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("start")).getMessage());
    assertEquals("scale needs --nodes N",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("scale")).getMessage());
    assertEquals("--nodes must be between 1 and 32, not 0",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("up", "--nodes", "0"))
            .getMessage());
    assertEquals("--port must be a number, not 'x'",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("up", "--port", "x"))
            .getMessage());
    assertEquals("unknown flag --bogus (see --help)",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("up", "--bogus", "1"))
            .getMessage());
    assertEquals("--tls-cert and --tls-key go together",
        assertThrows(LauncherOptions.UsageException.class, () -> LauncherOptions.parse("up", "--tls-cert", "c"))
            .getMessage());
  }

  @Test
  void helpListsEverySubcommandAndEveryFlagTheParserKnows() throws Exception {
    assertEquals("help", LauncherOptions.parse("--help").command());
    assertEquals("help", LauncherOptions.parse("up", "--help").command());
    assertEquals("help", LauncherOptions.parse().command());
    assertEquals("version", LauncherOptions.parse("--version").command());
    assertEquals("version", LauncherOptions.parse("up", "--version").command());
    String usage = LauncherOptions.usage();
    for (String command : LauncherOptions.COMMANDS) {
      assertTrue(usage.contains("\n  " + command + " "), "--help lacks " + command);
    }
    for (String flag : List.of("--nodes", "--port", "--host", "--tls", "--tls-cert", "--tls-key", "--config",
        "--node-jar", "--node-heap", "--cluster-name", "--state-dir", "--help")) {
      assertTrue(usage.contains("\n  " + flag + " ") || usage.contains("\n  " + flag + ","), "--help lacks " + flag);
    }
    // And nothing in --help that the parser rejects.
    Matcher m = Pattern.compile("\\n  (--[a-z-]+)").matcher(usage);
    while (m.find()) {
      String flag = m.group(1);
      String[] args = flag.equals("--tls") || flag.equals("--help") || flag.equals("--version") ? new String[] {"up", flag}
          : flag.equals("--tls-cert") || flag.equals("--tls-key")
              ? new String[] {"up", "--tls-cert", "c", "--tls-key", "k"} : new String[] {"up", flag, "1"};
      LauncherOptions.parse(args);
    }
  }
}
