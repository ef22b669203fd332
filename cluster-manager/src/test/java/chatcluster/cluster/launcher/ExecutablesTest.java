package chatcluster.cluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {
  @TempDir
  Path dir;

  @Test
  void aMissingProgramNamesWhatToInstall() {
    Executables none = new Executables(List.of(dir));
    String message = assertThrows(Executables.MissingProgramException.class,
        () -> none.require("nginx", "nginx", "to balance clients over the nodes")).getMessage();
    assertTrue(message.startsWith("nginx not found (needed to balance clients over the nodes)"), message);
    assertTrue(message.contains("apt-get install nginx"), message);
    String redis = assertThrows(Executables.MissingProgramException.class,
        () -> none.require("redis-server", "redis-server", "to share messages")).getMessage();
    assertTrue(redis.contains("apt-get install redis-server") && redis.contains("brew install redis'"), redis);
  }

  @Test
  void findsAnExecutableFileOnlyInTheGivenDirectories() throws Exception {
    Path plain = Files.writeString(dir.resolve("nginx"), "#!/bin/sh\n");
    Executables exe = new Executables(List.of(dir));
    assertTrue(exe.find("nginx").isEmpty(), "a file without the execute bit is not a program");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertEquals(plain, exe.require("nginx", "nginx", "test"));
  }
}
