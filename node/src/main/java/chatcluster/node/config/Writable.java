package chatcluster.node.config;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.BiFunction;

/** Checks at start that a file the node will write (tasks, error log) can be written where it is asked. */
final class Writable {
  /** Kernel file systems: writable to root by permission bits, yet no file can be created in them. */
  private static final Set<String> PSEUDO = Set.of("proc", "sysfs", "devtmpfs", "cgroup", "cgroup2", "debugfs");

  private Writable() {}

  /**
   * @param create true when the file will be used: its directory is created and a probe file written;
   *               otherwise only its nearest existing directory is looked at
   */
  static void check(ConfigOption option, Path file, boolean create,
                    BiFunction<ConfigOption, String, ConfigException> invalid) {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    if (dir == null || Files.isDirectory(abs)) {
      throw invalid.apply(option, "a file path; " + abs + " is a directory");
    }
    if (create) {
      try {
        Files.createDirectories(dir);
        Files.deleteIfExists(Files.createTempFile(dir, ".chatcluster-probe", ".tmp"));
      } catch (IOException e) {
        throw invalid.apply(option, "a file in a writable directory; cannot write in " + dir + ": " + IoCause.of(e));
      }
      return;
    }
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String problem = null;
    if (existing == null || !Files.isDirectory(existing)) {
      problem = existing + " is not a directory";
    } else if (!Files.isWritable(existing) || pseudo(existing)) {
      problem = existing + " is not writable";
    }
    if (problem != null) {
      throw invalid.apply(option, "a file in a writable directory; " + problem);
    }
  }

  private static boolean pseudo(Path dir) {
    try {
      FileStore store = Files.getFileStore(dir);
      return PSEUDO.contains(store.type()) || store.isReadOnly();
    } catch (IOException e) {
      return true;
    }
  }
}
