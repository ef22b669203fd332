package chatcluster.cluster.launcher;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code launcher.properties} in the state directory: how {@code scale}, {@code status} and
 * {@code down} reach a running launcher (its PID, its control port on 127.0.0.1 and a random token
 * that only the file's owner can read).
 *
 * @param pid   the launcher's PID
 * @param port  its control port
 * @param token the token every control request carries
 */
record ControlFile(long pid, int port, String token) {
  static final String NAME = "launcher.properties";

  static Path path(Path stateDir) {
    return stateDir.resolve(NAME);
  }

  void write(Path stateDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", String.valueOf(pid));
    p.setProperty("port", String.valueOf(port));
    p.setProperty("token", token);
    StringWriter out = new StringWriter();
    p.store(out, "the running ChatCluster launcher");
    Files.createDirectories(stateDir);
    Path tmp = stateDir.resolve(NAME + ".tmp");
    Files.writeString(tmp, "");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(tmp, out.toString());
    Files.move(tmp, path(stateDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The control file of a launcher that is still running, if any. */
  static Optional<ControlFile> readLive(Path stateDir) throws IOException {
    Path file = path(stateDir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file)));
    ControlFile c = new ControlFile(Long.parseLong(p.getProperty("pid", "0")),
        Integer.parseInt(p.getProperty("port", "0")), p.getProperty("token", ""));
    return ProcessHandle.of(c.pid()).filter(ProcessHandle::isAlive).map(h -> c);
  }

  static void delete(Path stateDir) {
    try {
      Files.deleteIfExists(path(stateDir));
    } catch (IOException ignored) {
      // a stale file is detected by its dead PID
    }
  }
}
