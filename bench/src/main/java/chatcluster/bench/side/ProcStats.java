package chatcluster.bench.side;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What Linux says about a process: CPU time (utime + stime from {@code /proc/PID/stat}), resident
 * memory ({@code VmRSS} from {@code /proc/PID/status}), children, the open-files limit. Every value is
 * read afresh; a process that has gone reads as 0.
 */
public final class ProcStats {
  /** USER_HZ: the unit of utime and stime on Linux. */
  public static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** utime + stime of a process, in microseconds (0 when the process is gone). */
  public static long cpuMicros(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1_000_000 / CLOCK_TICKS_PER_SECOND;
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /**
   * utime + stime of a process's threads in microseconds, summed by kind of thread (its name,
   * {@code /proc/PID/task/TID/comm}): {@code jit} (a JVM's C1 and C2 compiler threads), {@code gc}
   * (G1's threads), {@code eventLoops} (Vert.x event loops), {@code acceptor}, {@code other}. Threads
   * that ended are not counted; adds to {@code into}.
   */
  public static void addThreadCpuMicros(long pid, java.util.Map<String, Long> into) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long micros = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1_000_000 / CLOCK_TICKS_PER_SECOND;
          into.merge(threadKind(comm), micros, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException gone) {
      // the process is gone
    }
  }

  static String threadKind(String comm) {
    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
      return "gc";
    }
    if (comm.startsWith("vert.x-eventloo")) {
      return "eventLoops";
    }
    if (comm.startsWith("vert.x-acceptor")) {
      return "acceptor";
    }
    return "other";
  }

  /** VmRSS of a process in bytes (0 when the process is gone). */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // gone
    }
    return 0;
  }

  /** The PIDs whose parent is {@code pid} (nginx's workers). */
  public static List<Long> children(long pid) {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(f[1]) == pid) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException raced) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return out;
  }

  /** The soft limit on open files of this process ("Max open files" in /proc/self/limits). */
  public static long openFilesLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return 1024;
  }

  /** CPU time the whole machine spent busy (all but idle and iowait in /proc/stat), in microseconds. */
  public static long machineBusyMicros() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * 1_000_000 / CLOCK_TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** This JVM's own PID. */
  public static long self() {
    return ProcessHandle.current().pid();
  }
}
