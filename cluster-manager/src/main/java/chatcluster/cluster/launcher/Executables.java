package chatcluster.cluster.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the programs the launcher runs (nginx, redis-server, openssl) on {@code PATH} and in the sbin
 * directories where distributions put nginx, and says what to install when one is missing.
 */
final class Executables {
  private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/nginx/sbin");

  private final List<Path> dirs;

  Executables(List<Path> dirs) {
    this.dirs = List.copyOf(dirs);
  }

  /** Directories of this process's {@code PATH}, then the sbin directories. */
  static Executables fromEnvironment() {
    Set<Path> dirs = new LinkedHashSet<>();
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isBlank()) {
        dirs.add(Path.of(d));
      }
    }
    SBIN.forEach(d -> dirs.add(Path.of(d)));
    return new Executables(new ArrayList<>(dirs));
  }

  Optional<Path> find(String name) {
    return dirs.stream().map(d -> d.resolve(name)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /** The program, or a {@link MissingProgramException} naming the package to install. */
  Path require(String name, String debianPackage, String purpose) throws MissingProgramException {
    return find(name).orElseThrow(() -> new MissingProgramException(name + " not found (needed " + purpose
        + "). Install it, e.g. 'sudo apt-get install " + debianPackage + "' on Debian or Ubuntu, 'brew install "
        + debianPackage.replace("-server", "") + "' on macOS, and make sure it is on PATH."));
  }

  /** A program the launcher needs is not installed. */
  static final class MissingProgramException extends Exception {
    MissingProgramException(String message) {
      super(message);
    }
  }
}
