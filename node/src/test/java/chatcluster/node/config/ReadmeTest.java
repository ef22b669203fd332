package chatcluster.node.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README documents every option with its three spellings and its default. */
class ReadmeTest {
  @Test
  void readmeListsEveryOptionWithItsDefault() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigOption o : ConfigOption.values()) {
      String row = readme.lines().filter(l -> l.startsWith("| `" + o.key() + "` |")).findFirst()
          .orElseThrow(() -> new AssertionError("README has no row for " + o.key()));
      assertTrue(row.contains("`" + o.env() + "`"), row);
      assertTrue(row.contains("`" + o.flag() + "`"), row);
      String dflt = o.defaultValue().isEmpty() ? (o == ConfigOption.NODE_ID ? "node-<random>" : "(none)")
          : o.defaultValue();
      assertTrue(row.contains("`" + dflt + "`"), () -> "default of " + o.key() + " in: " + row);
    }
    assertTrue(readme.contains("./run-tests.sh"));
  }
}
