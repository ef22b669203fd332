package chatcluster.bench.side;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * CPU time (utime + stime) of the target's server processes, of its Redis and of the generator
 * itself, the machine's busy time (/proc/stat), and the wall clock, at one instant. Two samples make
 * a measured interval; what the machine did beyond the three is reported as other processes' cores,
 * so that a run disturbed by something else on the machine says so. {@code perServer} holds each server
 * process's own CPU time, in the order of {@link Target#serverPids()}.
 */
public record CpuSample(long nanos, long serverMicros, long redisMicros, long generatorMicros, long machineMicros,
                        long[] perServer) {

  public static CpuSample take(Target target) {
    List<Long> pids = target.serverPids();
    long[] perServer = new long[pids.size()];
    long server = 0;
    for (int i = 0; i < perServer.length; i++) {
      perServer[i] = ProcStats.cpuMicros(pids.get(i));
      server += perServer[i];
    }
    long redis = 0;
    for (long pid : target.redisPids()) {
      redis += ProcStats.cpuMicros(pid);
    }
    return new CpuSample(System.nanoTime(), server, redis, ProcStats.cpuMicros(ProcStats.self()),
        ProcStats.machineBusyMicros(), perServer);
  }

  /** Seconds from this sample to {@code later}. */
  public double secondsTo(CpuSample later) {
    return (later.nanos - nanos) / 1e9;
  }

  /**
   * The interval to {@code later} as JSON: CPU µs of server, Redis, both, generator; cores used; and
   * per {@code unit} (deliveries, connections) when {@code units} is positive.
   */
  public JsonObject to(CpuSample later, long units, String unit, int generatorLoops) {
    double wall = secondsTo(later);
    long server = later.serverMicros - serverMicros;
    long redis = later.redisMicros - redisMicros;
    long gen = later.generatorMicros - generatorMicros;
    long others = Math.max(0, later.machineMicros - machineMicros - server - redis - gen);
    JsonObject o = new JsonObject().put("seconds", round(wall)).put("serverCpuMicros", server)
        .put("redisCpuMicros", redis).put("totalCpuMicros", server + redis).put("generatorCpuMicros", gen)
        .put("serverCores", round(server / 1e6 / wall)).put("redisCores", round(redis / 1e6 / wall))
        .put("generatorCores", round(gen / 1e6 / wall))
        .put("otherProcessesCores", round(others / 1e6 / wall));
    if (perServer.length == later.perServer.length && perServer.length > 1) {
      io.vertx.core.json.JsonArray byProcess = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < perServer.length; i++) {
        byProcess.add(round((later.perServer[i] - perServer[i]) / 1e6 / wall));
      }
      o.put("serverCoresByProcess", byProcess);
    }
    double genPerLoop = gen / 1e6 / wall / generatorLoops;
    o.put("generatorCoresPerLoop", round(genPerLoop)).put("generatorSaturated", genPerLoop >= 0.9);
    if (units > 0) {
      o.put("serverMicrosPer" + unit, round((double) server / units))
          .put("redisMicrosPer" + unit, round((double) redis / units))
          .put("totalMicrosPer" + unit, round((double) (server + redis) / units));
    }
    return o;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
