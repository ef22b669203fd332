package chatcluster.node.ops;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The heap settings for a node that holds many mostly idle connections, applied by the node's own
 * {@code main} when the operator left them at the JVM's defaults: G1 then collects every 5 s while
 * the node is quiet and gives back what its heap does not use (at most 20 % free), instead of keeping
 * the high-water mark of its busiest minute resident. All three flags are manageable at run time, so
 * {@code java -jar} gets them without a wrapper script; flags given on the command line (or in
 * {@code JAVA_TOOL_OPTIONS}) win. The heap cannot shrink below its initial size ({@code -Xms}).
 */
public final class IdleMemory {
  private IdleMemory() {}

  /** The flags in the order they must be set (MinHeapFreeRatio may not exceed MaxHeapFreeRatio). */
  static final Map<String, String> SETTINGS = new LinkedHashMap<>();

  static {
    SETTINGS.put("G1PeriodicGCInterval", "5000");
    SETTINGS.put("MinHeapFreeRatio", "5");
    SETTINGS.put("MaxHeapFreeRatio", "20");
  }

  /** Applies the settings the operator did not set; returns the ones applied. Only with G1. */
  public static List<String> apply(Logger log) {
    List<String> applied = new ArrayList<>();
    HotSpotDiagnosticMXBean vm;
    try {
      vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm == null || !"true".equals(vm.getVMOption("UseG1GC").getValue())) {
        return applied;
      }
    } catch (RuntimeException e) {
      log.debug("heap settings not applied: {}", e.toString());
      return applied;
    }
    boolean minGiven = given(vm, "MinHeapFreeRatio");
    for (Map.Entry<String, String> s : SETTINGS.entrySet()) {
      // A given MinHeapFreeRatio above 20 keeps the default maximum: the pair must stay ordered.
      if (given(vm, s.getKey()) || s.getKey().equals("MaxHeapFreeRatio") && minGiven) {
        continue;
      }
      try {
        vm.setVMOption(s.getKey(), s.getValue());
        applied.add("-XX:" + s.getKey() + "=" + s.getValue());
      } catch (RuntimeException e) {
        log.debug("heap setting {} not applied: {}", s.getKey(), e.toString());
      }
    }
    if (!applied.isEmpty()) {
      log.info("heap settings for idle connections: {} (give -XX: flags to choose others)", String.join(" ", applied));
    }
    return applied;
  }

  private static boolean given(HotSpotDiagnosticMXBean vm, String flag) {
    try {
      return vm.getVMOption(flag).getOrigin() != VMOption.Origin.DEFAULT
          && vm.getVMOption(flag).getOrigin() != VMOption.Origin.ERGONOMIC;
    } catch (RuntimeException e) {
      return true; // unknown here: leave it alone
    }
  }
}
