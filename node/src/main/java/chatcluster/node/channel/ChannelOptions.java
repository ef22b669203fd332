package chatcluster.node.channel;


import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;

/**
 * Per-channel options (PROTOCOL.md section 3).
 *
 * @param maxClients    cluster-wide subscriber cap, 0 for none
 * @param persistent    keep history and allow recovery by {@code since}
 * @param historySize   messages kept per persistent channel
 * @param historyTtl    how long a persistent channel's history lives after its last message
 * @param privateChannel joining needs a JWT {@code channels} grant or the Authenticator's yes
 * @param auth          anonymous connections may not join
 * @param presence      track members and send join/leave
 * @param clientPublish clients may publish (otherwise only the server and backends)
 */
public record ChannelOptions(int maxClients, boolean persistent, int historySize, Duration historyTtl,
                             boolean privateChannel, boolean auth, boolean presence, boolean clientPublish) {
  public static final int DEFAULT_HISTORY_SIZE = 100;
  public static final Duration DEFAULT_HISTORY_TTL = Duration.ofSeconds(300);
  public static final ChannelOptions DEFAULTS =
      new ChannelOptions(0, false, DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL, false, false, false, true);

  private static final Set<String> KEYS = Set.of("name", "maxClients", "persistent", "historySize", "historyTtl",
      "private", "auth", "presence", "clientPublish");

  /** The cluster-wide counter that enforces {@code maxClients} for a channel. */
  public static String subscriberCounter(String channel) {
    return "subscribers:" + channel;
  }

  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /**
   * Reads options from a config entry; {@code where} names the entry in error messages
   * (e.g. {@code channels[2]}).
   *
   * @throws IllegalArgumentException naming the entry and the option when a value is invalid
   */
  public static ChannelOptions fromJson(JsonObject json, String where) {
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown channel option '" + key + "' (known: " + KEYS + ")");
      }
    }
    Builder b = builder();
    b.maxClients(intValue(json, "maxClients", 0, where));
    b.persistent(boolValue(json, "persistent", false, where));
    b.historySize(intValue(json, "historySize", DEFAULT_HISTORY_SIZE, where));
    b.historyTtl(Duration.ofSeconds(intValue(json, "historyTtl", (int) DEFAULT_HISTORY_TTL.toSeconds(), where)));
    b.privateChannel(boolValue(json, "private", false, where));
    b.auth(boolValue(json, "auth", false, where));
    b.presence(boolValue(json, "presence", false, where));
    b.clientPublish(boolValue(json, "clientPublish", true, where));
    ChannelOptions options = b.build();
    if (options.persistent && options.historySize < 1) {
      throw new IllegalArgumentException(where + ".historySize: must be at least 1 for a persistent channel");
    }
    if (options.historyTtl.isNegative() || options.historyTtl.isZero()) {
      throw new IllegalArgumentException(where + ".historyTtl: must be at least 1 second");
    }
    return options;
  }

  private static int intValue(JsonObject json, String key, int dflt, String where) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n && n.doubleValue() == Math.floor(n.doubleValue()) && n.longValue() >= 0
        && n.longValue() <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new IllegalArgumentException(where + "." + key + ": expected a whole number >= 0, got '" + v + "'");
  }

  private static boolean boolValue(JsonObject json, String key, boolean dflt, String where) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(where + "." + key + ": expected true or false, got '" + v + "'");
  }

  /** Builder for the embedding API. */
  public static final class Builder {
    private int maxClients;
    private boolean persistent;
    private int historySize;
    private Duration historyTtl;
    private boolean privateChannel;
    private boolean auth;
    private boolean presence;
    private boolean clientPublish;

    private Builder(ChannelOptions from) {
      maxClients = from.maxClients;
      persistent = from.persistent;
      historySize = from.historySize;
      historyTtl = from.historyTtl;
      privateChannel = from.privateChannel;
      auth = from.auth;
      presence = from.presence;
      clientPublish = from.clientPublish;
    }

    public Builder maxClients(int v) { maxClients = v; return this; }
    public Builder persistent(boolean v) { persistent = v; return this; }
    public Builder historySize(int v) { historySize = v; return this; }
    public Builder historyTtl(Duration v) { historyTtl = v; return this; }
    public Builder privateChannel(boolean v) { privateChannel = v; return this; }
    public Builder auth(boolean v) { auth = v; return this; }
    public Builder presence(boolean v) { presence = v; return this; }
    public Builder clientPublish(boolean v) { clientPublish = v; return this; }

    public ChannelOptions build() {
      return new ChannelOptions(maxClients, persistent, historySize, historyTtl, privateChannel, auth, presence,
          clientPublish);
    }
  }
}
