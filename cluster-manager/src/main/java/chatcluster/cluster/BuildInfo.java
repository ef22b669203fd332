package chatcluster.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What every ChatCluster jar prints for {@code --version}: the Maven project version it was built as. */
public final class BuildInfo {
  private BuildInfo() {}

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} outside a Maven build. */
  public static String version() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/chatcluster/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** {@code <program> <version> (Java <runtime version>)}. */
  public static String versionLine(String program) {
    return program + " " + version() + " (Java " + Runtime.version() + ")";
  }
}
