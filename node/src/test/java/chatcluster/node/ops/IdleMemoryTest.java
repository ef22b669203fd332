package chatcluster.node.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The node's main gives G1 the idle-memory settings the operator left at their defaults, and only those. */
class IdleMemoryTest {

  @Test
  void settingsLeftAtTheirDefaultsAreAppliedAtRunTimeAndGivenOnesAreKept() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    var log = LoggerFactory.getLogger(IdleMemoryTest.class);
    if (!"true".equals(vm.getVMOption("UseG1GC").getValue())) {
      assertTrue(IdleMemory.apply(log).isEmpty(), "G1's settings only with G1");
      return;
    }
    IdleMemory.apply(log);
    assertEquals("5000", vm.getVMOption("G1PeriodicGCInterval").getValue());
    assertEquals("20", vm.getVMOption("MaxHeapFreeRatio").getValue());
    assertEquals("5", vm.getVMOption("MinHeapFreeRatio").getValue());
    vm.setVMOption("MaxHeapFreeRatio", "30"); // as an operator's flag would be
    assertTrue(IdleMemory.apply(log).isEmpty(), "nothing set twice, nothing overridden");
    assertEquals("30", vm.getVMOption("MaxHeapFreeRatio").getValue());
    vm.setVMOption("MaxHeapFreeRatio", "20");
  }
}
