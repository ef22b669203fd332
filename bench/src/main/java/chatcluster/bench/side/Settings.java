package chatcluster.bench.side;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numbers of a side-by-side run. {@link #full()} is the documented run; {@link #quick()} a
 * few-minute one; command-line flags override either (see {@link SideBySide}).
 */
public final class Settings {
  public List<String> targets = new ArrayList<>(List.of("chatcluster", "chatcluster-nagle", "socketio", "nchan"));
  public List<String> scenarios = new ArrayList<>(List.of("idle", "connect", "fanout", "max", "channels", "xnode"));
  public int runs = 3;
  public int warmupSeconds = 2;
  public int measureSeconds = 8;
  public int subscribers = 2000;
  public List<Integer> rates = new ArrayList<>(List.of(10, 25, 50, 100));
  /** Publishes kept in flight (not yet delivered to every subscriber) by the saturation mode. */
  public int maxWindow = 16;
  public int payloadSize = 100;
  /** Idle connections held at each level of the idle curve (one pass, levels in ascending order). */
  public List<Integer> idleConnections = new ArrayList<>(List.of(20_000));
  /** Seconds each idle level is left idle before memory is read. */
  public int idleSeconds = 15;
  public int connects = 2000;
  public int connectWindow = 32;
  /** Unmeasured rounds of {@code connects} handshakes before the measured one (a JVM compiles meanwhile). */
  public int connectWarmupRounds = 3;
  public int channels = 1000;
  public int subscribersPerChannel = 2;
  public int channelsRate = 500;
  /** rooms (not in the default list): the channels scenario with many small channels. */
  public int roomsChannels = 10_000;
  public int roomsPerChannel = 3;
  public int roomsRate = 2000;
  public int roomsPublishers = 10;
  public int channelsPublishers = 1;
  /** nodes (not in the default list): one channel's fanout at each count of processes. */
  public List<Integer> nodeCounts = new ArrayList<>(List.of(1, 2, 4, 6));
  public int nodesSubscribers = 2000;
  public int nodesRate = 25;
  public int xnodeSubscribers = 1000;
  public int xnodeRate = 50;
  /** Event loops of each ChatCluster node; processes of ChatCluster and Socket.IO. */
  public int eventLoops = 2;
  public int processes = 2;
  public String nodeHeap = "1g";
  /** More JVM options for every ChatCluster node, space-separated (e.g. a flight recording); none by default. */
  public String nodeJavaOpts = "";
  /** The wss step's certificate key: rsa (RSA 2048, the default) or ecdsa (P-256). */
  public String tlsKey = "rsa";
  public int generatorLoops = 2;
  /** storm (not in the default list: it starts the target anew with 3 processes and kills one). */
  public int stormClients = 1000;
  public int stormChannels = 30;
  public int stormRate = 20;
  public int stormSeconds = 5;
  public int stormDeadline = 20;
  /** Load before the measured seconds: fresh JVMs compile the delivery path in their first seconds. */
  public int stormWarmup = 10;

  public static Settings full() {
    return new Settings();
  }

  public static Settings quick() {
    Settings s = new Settings();
    s.runs = 1;
    s.warmupSeconds = 1;
    s.measureSeconds = 3;
    s.subscribers = 500;
    s.rates = new ArrayList<>(List.of(10, 50, 100));
    s.idleConnections = new ArrayList<>(List.of(2000));
    s.connects = 500;
    s.channels = 200;
    s.roomsChannels = 1000;
    s.roomsRate = 200;
    s.nodesSubscribers = 500;
    s.xnodeSubscribers = 300;
    return s;
  }

  /** Applies {@code --name value} flags; unknown flags are an error naming the known ones. */
  public Settings apply(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick")) {
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--targets" -> targets = new ArrayList<>(Arrays.asList(v.split(",")));
        case "--scenarios" -> scenarios = new ArrayList<>(Arrays.asList(v.split(",")));
        case "--runs" -> runs = Integer.parseInt(v);
        case "--warmup" -> warmupSeconds = Integer.parseInt(v);
        case "--seconds" -> measureSeconds = Integer.parseInt(v);
        case "--subscribers" -> subscribers = Integer.parseInt(v);
        case "--rates" -> rates = ints(v);
        case "--window" -> maxWindow = Integer.parseInt(v);
        case "--size" -> payloadSize = Integer.parseInt(v);
        case "--idle" -> idleConnections = ints(v);
        case "--idle-seconds" -> idleSeconds = Integer.parseInt(v);
        case "--connects" -> connects = Integer.parseInt(v);
        case "--connect-warmup-rounds" -> connectWarmupRounds = Integer.parseInt(v);
        case "--connect-window" -> connectWindow = Integer.parseInt(v);
        case "--channels" -> channels = Integer.parseInt(v);
        case "--channels-rate" -> channelsRate = Integer.parseInt(v);
        case "--per-channel" -> subscribersPerChannel = Integer.parseInt(v);
        case "--rooms-channels" -> roomsChannels = Integer.parseInt(v);
        case "--rooms-per-channel" -> roomsPerChannel = Integer.parseInt(v);
        case "--rooms-rate" -> roomsRate = Integer.parseInt(v);
        case "--rooms-publishers" -> roomsPublishers = Integer.parseInt(v);
        case "--channels-publishers" -> channelsPublishers = Integer.parseInt(v);
        case "--node-counts" -> nodeCounts = ints(v);
        case "--nodes-subscribers" -> nodesSubscribers = Integer.parseInt(v);
        case "--nodes-rate" -> nodesRate = Integer.parseInt(v);
        case "--xnode-subscribers" -> xnodeSubscribers = Integer.parseInt(v);
        case "--xnode-rate" -> xnodeRate = Integer.parseInt(v);
        case "--event-loops" -> eventLoops = Integer.parseInt(v);
        case "--node-heap" -> nodeHeap = v;
        case "--node-java-opts" -> nodeJavaOpts = v;
        case "--tls-key" -> {
          if (!v.equals("rsa") && !v.equals("ecdsa")) {
            throw new IllegalArgumentException("--tls-key is rsa or ecdsa, not " + v);
          }
          tlsKey = v;
        }
        case "--generator-loops" -> generatorLoops = Integer.parseInt(v);
        case "--storm-clients" -> stormClients = Integer.parseInt(v);
        case "--storm-channels" -> stormChannels = Integer.parseInt(v);
        case "--storm-rate" -> stormRate = Integer.parseInt(v);
        case "--storm-seconds" -> stormSeconds = Integer.parseInt(v);
        case "--storm-deadline" -> stormDeadline = Integer.parseInt(v);
        case "--storm-warmup" -> stormWarmup = Integer.parseInt(v);
        case "--out", "--root", "--report" -> { } // read by SideBySide
        default -> throw new IllegalArgumentException("unknown option " + a + " (known: --quick --targets --scenarios"
            + " --runs --warmup --seconds --subscribers --rates --window --size --idle --idle-seconds --connects"
            + " --connect-warmup-rounds --connect-window"
            + " --channels --channels-rate --per-channel --channels-publishers --rooms-channels --rooms-per-channel"
            + " --rooms-rate --rooms-publishers"
            + " --node-counts --nodes-subscribers --nodes-rate --xnode-subscribers --xnode-rate --event-loops"
            + " --node-heap --node-java-opts --tls-key --generator-loops --out --report"
            + " --root --storm-clients --storm-channels --storm-rate --storm-seconds --storm-deadline"
            + " --storm-warmup)");
      }
    }
    return this;
  }

  /** A comma-separated list of integers ("1,2,4,6"). */
  private static List<Integer> ints(String v) {
    return new ArrayList<>(Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList());
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    for (java.lang.reflect.Field f : Settings.class.getFields()) {
      try {
        Object v = f.get(this);
        o.put(f.getName(), v instanceof List<?> l ? new io.vertx.core.json.JsonArray(new ArrayList<>(l)) : v);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return o;
  }
}
