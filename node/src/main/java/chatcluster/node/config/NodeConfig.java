package chatcluster.node.config;

import chatcluster.cluster.ClusterOptions;
import chatcluster.node.channel.ChannelDeclaration;
import chatcluster.node.channel.ChannelName;
import chatcluster.node.channel.ChannelOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A node's whole configuration, validated. Built from raw values per {@link ConfigOption} (see
 * {@link ConfigLoader} for the file, environment and flags) or, when embedding, with {@link #builder()}.
 */
public record NodeConfig(
    String host,
    int port,
    int eventLoops,
    int maxClients,
    Duration pingInterval,
    int maxMessageSize,
    boolean debug,
    boolean authEnabled,
    String authToken,
    String jwtSecret,
    Path jwtPublicKey,
    Duration authTimeout,
    boolean queryToken,
    Security security,
    Path sslCert,
    Path sslKey,
    List<String> allowedOrigins,
    List<String> trustedProxies,
    boolean dynamicChannels,
    int rateLimit,
    int rateBurst,
    int sendQueueMax,
    int sendBuffer,
    boolean tcpNoDelay,
    int writeDelay,
    Duration drainTimeout,
    Duration clusterDeadAfter,
    String nodeId,
    List<String> redisUrls,
    String redisPrefix,
    RedisTopology redisTopology,
    ClusterOptions cluster,
    Path relaySocket,
    String relayApiKey,
    Integer relayHttpPort,
    int relayMaxBody,
    String adminToken,
    boolean adminJwt,
    ApiSettings api,
    InboxSettings inbox,
    boolean websocketEnabled,
    Path errorLog,
    LogChannel logChannel,
    ConfigSources sources,
    List<PusherApp> pusherApps,
    List<ChannelDeclaration> channels) {

  /** HS256 needs a key as long as its hash: 256 bits (RFC 7518, 3.2). */
  public static final int MIN_JWT_SECRET_LENGTH = 32;
  /** The longest {@code writeDelay}: held frames are latency, and a second is already a long wait. */
  public static final int MAX_WRITE_DELAY_MS = 1000;
  /** The shortest admin token a node takes. */
  public static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  public static NodeConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The event loops this node serves connections on: {@code eventLoops}, or one per core when 0. */
  public int eventLoopCount() {
    return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
  }

  public boolean ssl() {
    return sslCert != null;
  }

  /** Whether the node shares state through Redis (otherwise it runs alone, in memory). */
  public boolean clustered() {
    return !redisUrls.isEmpty() || redisTopology.sentinel() || redisTopology.cluster();
  }

  /** Whether a token or JWT key is configured, so that the default authenticator can accept anyone. */
  public boolean hasCredentials() {
    return authToken != null || jwtSecret != null || jwtPublicKey != null;
  }

  /** Raw values by option (String from env and flags, YAML scalars from the file) plus channels. */
  public static final class Builder {
    private final Map<ConfigOption, Object> raw = new EnumMap<>(ConfigOption.class);
    private final Map<ConfigOption, String> origin = new EnumMap<>(ConfigOption.class);
    private final List<ChannelDeclaration> channels = new ArrayList<>();
    private final List<PusherApp> pusherApps = new ArrayList<>();

    /** Sets an option; a later call wins (the loader calls in precedence order). */
    public Builder set(ConfigOption option, Object value) {
      return set(option, value, "set");
    }

    Builder set(ConfigOption option, Object value, String from) {
      raw.put(option, value);
      origin.put(option, from);
      return this;
    }

    public Builder channel(String pattern, ChannelOptions options) {
      if (!ChannelName.isValidPattern(pattern)) {
        throw new ConfigException("channels: invalid channel name or pattern '" + pattern + "'");
      }
      channels.removeIf(d -> d.pattern().equals(pattern));
      channels.add(new ChannelDeclaration(pattern, options));
      return this;
    }

    /** Adds a Pusher app (the YAML file's {@code pusher.apps}); ids and keys must be unique. */
    public Builder pusherApp(PusherApp app) {
      pusherApps.add(app);
      return this;
    }

    public NodeConfig build() {
      Path cert = file(ConfigOption.SSL_CERT);
      Path key = file(ConfigOption.SSL_KEY);
      if ((cert == null) != (key == null)) {
        throw new ConfigException("ssl: " + ConfigOption.SSL_CERT.label() + " and " + ConfigOption.SSL_KEY.label()
            + " must be given together");
      }
      if (!value(ConfigOption.SSL_ENABLED).isEmpty()) {
        boolean tls = bool(ConfigOption.SSL_ENABLED);
        if (tls && cert == null) {
          throw invalid(ConfigOption.SSL_ENABLED, "TLS needs a certificate and its key: set "
              + ConfigOption.SSL_CERT.label() + " and " + ConfigOption.SSL_KEY.label());
        }
        if (!tls) {
          cert = null;
          key = null;
        }
      }
      String jwtSecret = string(ConfigOption.JWT_SECRET);
      if (jwtSecret != null && jwtSecret.length() < MIN_JWT_SECRET_LENGTH) {
        throw invalid(ConfigOption.JWT_SECRET, "at least " + MIN_JWT_SECRET_LENGTH
            + " characters (HS256 needs a 256-bit key; make one with: openssl rand -base64 32)");
      }
      Path jwtKey = file(ConfigOption.JWT_PUBLIC_KEY);
      if (jwtSecret != null && jwtKey != null) {
        throw new ConfigException("auth: give either " + ConfigOption.JWT_SECRET.label() + " or "
            + ConfigOption.JWT_PUBLIC_KEY.label() + ", not both");
      }
      boolean authEnabled = bool(ConfigOption.AUTH_ENABLED);
      String token = string(ConfigOption.AUTH_TOKEN);
      String nodeId = string(ConfigOption.NODE_ID);
      if (nodeId == null) {
        nodeId = "node-" + Ids.random(10);
      } else if (!nodeId.matches("[A-Za-z0-9_.:@=-]{1,64}")) {
        throw invalid(ConfigOption.NODE_ID, "1 to 64 characters of A-Z a-z 0-9 _ - . : @ = (no spaces)");
      }
      List<String> trustedProxies = list(ConfigOption.TRUSTED_PROXIES);
      for (String proxy : trustedProxies) {
        try {
          Cidr.parse(proxy);
        } catch (IllegalArgumentException e) {
          throw invalid(ConfigOption.TRUSTED_PROXIES, "comma-separated IP addresses or CIDRs; '" + proxy
              + "' is not one");
        }
      }
      List<String> origins = list(ConfigOption.ALLOWED_ORIGINS);
      for (String o : origins) {
        if (!o.equals("*") && !isOrigin(o)) {
          throw invalid(ConfigOption.ALLOWED_ORIGINS,
              "comma-separated origins like https://app.example.com or http://localhost:3000; '" + o + "' is not one");
        }
      }
      ApiSettings api = apiSettings();
      boolean tasksInFile = api.enabled() && !clusteredRedis();
      Writable.check(ConfigOption.TASKS_FILE, api.tasksFile(), tasksInFile, this::invalid);
      Path errorLog = string(ConfigOption.ERROR_LOG) == null ? null : Path.of(string(ConfigOption.ERROR_LOG));
      if (errorLog != null) {
        Writable.check(ConfigOption.ERROR_LOG, errorLog, true, this::invalid);
      }
      LogChannel logChannel = logChannel();
      if (logChannel == LogChannel.DAILY && errorLog == null) {
        throw invalid(ConfigOption.LOG_CHANNEL, "daily writes its files beside the error log: set "
            + ConfigOption.ERROR_LOG.label() + " too");
      }
      return new NodeConfig(
          stringOr(ConfigOption.HOST),
          integer(ConfigOption.PORT),
          integer(ConfigOption.EVENT_LOOPS),
          integer(ConfigOption.MAX_CLIENTS),
          seconds(ConfigOption.PING_INTERVAL),
          atLeast(ConfigOption.MAX_MESSAGE_SIZE, 256),
          bool(ConfigOption.DEBUG),
          authEnabled,
          token,
          jwtSecret,
          jwtKey,
          seconds(ConfigOption.AUTH_TIMEOUT),
          bool(ConfigOption.AUTH_QUERY_TOKEN),
          security(),
          cert,
          key,
          origins,
          trustedProxies,
          bool(ConfigOption.DYNAMIC_CHANNELS),
          integer(ConfigOption.RATE_LIMIT),
          integer(ConfigOption.RATE_BURST),
          atLeast(ConfigOption.SEND_QUEUE_MAX, 4096),
          integer(ConfigOption.SEND_BUFFER),
          bool(ConfigOption.TCP_NO_DELAY),
          atMost(ConfigOption.WRITE_DELAY, MAX_WRITE_DELAY_MS),
          seconds(ConfigOption.DRAIN_TIMEOUT),
          deadAfter(),
          nodeId,
          redisUrls(),
          stringOr(ConfigOption.REDIS_PREFIX),
          redisTopology(),
          clusterOptions(nodeId),
          string(ConfigOption.RELAY_SOCKET) == null ? null : Path.of(string(ConfigOption.RELAY_SOCKET)),
          string(ConfigOption.RELAY_API_KEY),
          optionalPort(ConfigOption.RELAY_HTTP_PORT),
          atLeast(ConfigOption.RELAY_MAX_BODY, 1024),
          adminToken(),
          bool(ConfigOption.ADMIN_JWT),
          api,
          new InboxSettings(bool(ConfigOption.INBOX_ENABLED), integer(ConfigOption.INBOX_SIZE),
              seconds(ConfigOption.INBOX_TTL), seconds(ConfigOption.PUBLISH_KEY_TTL)),
          bool(ConfigOption.WEBSOCKET_ENABLED),
          errorLog,
          logChannel,
          new ConfigSources(origin, shownValues()),
          pusherApps(),
          List.copyOf(channels));
    }

    /** The file's apps plus the one of PUSHER_APP_ID / _KEY / _SECRET; ids and keys unique. */
    private List<PusherApp> pusherApps() {
      List<PusherApp> apps = new ArrayList<>(pusherApps);
      String id = string(ConfigOption.PUSHER_APP_ID);
      String appKey = string(ConfigOption.PUSHER_APP_KEY);
      String secret = string(ConfigOption.PUSHER_APP_SECRET);
      if (id != null || appKey != null || secret != null) {
        if (id == null || appKey == null || secret == null) {
          throw invalid(id == null ? ConfigOption.PUSHER_APP_ID : appKey == null ? ConfigOption.PUSHER_APP_KEY
              : ConfigOption.PUSHER_APP_SECRET, "a Pusher app needs " + ConfigOption.PUSHER_APP_ID.label() + ", "
              + ConfigOption.PUSHER_APP_KEY.label() + " and " + ConfigOption.PUSHER_APP_SECRET.label() + " together");
        }
        try {
          apps.add(new PusherApp(id, appKey, secret, bool(ConfigOption.PUSHER_APP_CLIENT_EVENTS),
              integer(ConfigOption.PUSHER_APP_MAX_CONNECTIONS),
              PusherApp.everyEvent(list(ConfigOption.PUSHER_APP_WEBHOOKS)), bool(ConfigOption.PUSHER_APP_SUBSCRIPTION_COUNT),
              bool(ConfigOption.PUSHER_APP_WATCHLIST_EVENTS)));
        } catch (IllegalArgumentException e) {
          throw invalid(ConfigOption.PUSHER_APP_ID, e.getMessage());
        }
      }
      java.util.Set<String> ids = new java.util.HashSet<>();
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (var app : apps) {
        if (!ids.add(app.id()) || !keys.add(app.key())) {
          throw new ConfigException("pusher.apps: app id '" + app.id() + "' or key '" + app.key() + "' is used twice");
        }
      }
      return List.copyOf(apps);
    }

    /** The admin credential; short ones are refused (the console can disconnect anyone). */
    private String adminToken() {
      String token = string(ConfigOption.ADMIN_TOKEN);
      if (token != null && token.length() < MIN_ADMIN_TOKEN_LENGTH) {
        throw invalid(ConfigOption.ADMIN_TOKEN, "at least " + MIN_ADMIN_TOKEN_LENGTH + " characters");
      }
      if (token == null && bool(ConfigOption.ADMIN_JWT)) {
        throw invalid(ConfigOption.ADMIN_JWT, "false without " + ConfigOption.ADMIN_TOKEN.label()
            + " (the console is off without it)");
      }
      return token;
    }

    private boolean clusteredRedis() {
      return !list(ConfigOption.REDIS_URL).isEmpty() || !list(ConfigOption.REDIS_SENTINELS).isEmpty()
          || !list(ConfigOption.REDIS_CLUSTER_NODES).isEmpty();
    }

    private LogChannel logChannel() {
      try {
        return LogChannel.valueOf(value(ConfigOption.LOG_CHANNEL).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid(ConfigOption.LOG_CHANNEL, "stdout, stderr or daily");
      }
    }

    private static boolean isOrigin(String o) {
      try {
        URI uri = new URI(o);
        return uri.getScheme() != null && uri.getHost() != null && uri.getRawUserInfo() == null
            && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
      } catch (URISyntaxException e) {
        return false;
      }
    }

    /** Every set value as it may be printed: secrets, Redis URLs (passwords) and API headers masked. */
    private Map<ConfigOption, String> shownValues() {
      Map<ConfigOption, String> shown = new EnumMap<>(ConfigOption.class);
      raw.keySet().forEach(o -> shown.put(o, shown(o)));
      return shown;
    }

    private String shown(ConfigOption o) {
      if (o.type() == ConfigOption.Type.SECRET || o == ConfigOption.API_HEADERS) {
        return "***";
      }
      if (o == ConfigOption.REDIS_URL) {
        return value(o).replaceAll("//[^@/]*@", "//***@");
      }
      return value(o);
    }

    private String value(ConfigOption o) {
      Object v = raw.get(o);
      return v == null ? o.defaultValue() : v.toString().trim();
    }

    private ConfigException invalid(ConfigOption o, String expected) {
      return ConfigException.invalid(o, shown(o), origin.getOrDefault(o, "default"), "expected " + expected);
    }

    private String string(ConfigOption o) {
      String v = value(o);
      return v.isEmpty() ? null : v;
    }

    private String stringOr(ConfigOption o) {
      String v = string(o);
      if (v == null) {
        throw invalid(o, "a non-empty value");
      }
      return v;
    }

    private Path file(ConfigOption o) {
      String v = string(o);
      if (v == null) {
        return null;
      }
      Path p = Path.of(v);
      if (!Files.isReadable(p)) {
        throw invalid(o, "a readable file");
      }
      return p;
    }

    private int integer(ConfigOption o) {
      long n;
      try {
        n = Long.parseLong(value(o));
      } catch (NumberFormatException e) {
        throw invalid(o, expectation(o));
      }
      boolean ok = switch (o.type()) {
        case PORT -> n >= 0 && n <= 65535;
        case POSITIVE_INT -> n >= 1 && n <= Integer.MAX_VALUE;
        case NON_NEGATIVE_INT -> n >= 0 && n <= Integer.MAX_VALUE;
        default -> true;
      };
      if (!ok) {
        throw invalid(o, expectation(o));
      }
      return (int) n;
    }

    /** The dead-node window: two missed heartbeats at least, so one late beat is not taken for a death. */
    private Duration deadAfter() {
      Duration d = seconds(ConfigOption.CLUSTER_DEAD_AFTER);
      if (d.toMillis() < 4000) {
        throw invalid(ConfigOption.CLUSTER_DEAD_AFTER, "at least 4 seconds (heartbeats come every 2 s)");
      }
      return d;
    }

    private int atMost(ConfigOption o, int max) {
      int n = integer(o);
      if (n > max) {
        throw invalid(o, "from 0 to " + max);
      }
      return n;
    }

    private int atLeast(ConfigOption o, int min) {
      int n = integer(o);
      if (n < min) {
        throw invalid(o, "at least " + min);
      }
      return n;
    }

    private static String expectation(ConfigOption o) {
      return switch (o.type()) {
        case PORT -> "a port number from 0 to 65535";
        case POSITIVE_INT -> "a whole number >= 1";
        case NON_NEGATIVE_INT -> "a whole number >= 0";
        default -> "a number";
      };
    }

    private boolean bool(ConfigOption o) {
      return switch (value(o).toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes", "on" -> true;
        case "false", "0", "no", "off" -> false;
        default -> throw invalid(o, "true or false (yes/no, on/off and 1/0 are read the same)");
      };
    }

    private Duration seconds(ConfigOption o) {
      double s;
      try {
        s = Double.parseDouble(value(o));
      } catch (NumberFormatException e) {
        throw invalid(o, "a number of seconds > 0");
      }
      if (!(s > 0) || s > 86_400 * 365) {
        throw invalid(o, "a number of seconds > 0");
      }
      return Duration.ofMillis(Math.round(s * 1000));
    }

    private Security security() {
      return new Security(bool(ConfigOption.AUTH_CLAIMED_IDENTITY), bool(ConfigOption.JWT_ALLOW_NO_EXP),
          string(ConfigOption.JWT_ISSUER), string(ConfigOption.JWT_AUDIENCE), integer(ConfigOption.JWT_LEEWAY),
          cidrs(ConfigOption.IP_ALLOW), cidrs(ConfigOption.IP_DENY), integer(ConfigOption.MAX_CONNECTIONS_PER_IP),
          integer(ConfigOption.CONNECT_RATE_PER_IP), seconds(ConfigOption.RATE_LIMIT_GRACE),
          integer(ConfigOption.MAX_SUBSCRIPTIONS), integer(ConfigOption.CHANNEL_PUBLISH_RATE));
    }

    private List<Cidr> cidrs(ConfigOption o) {
      List<Cidr> out = new java.util.ArrayList<>();
      for (String v : list(o)) {
        try {
          out.add(Cidr.parse(v));
        } catch (IllegalArgumentException e) {
          throw invalid(o, "comma-separated IP addresses or CIDRs (" + e.getMessage() + ")");
        }
      }
      return out;
    }

    private ApiSettings apiSettings() {
      String base = string(ConfigOption.API_BASE_URL);
      URI baseUrl = null;
      if (base != null) {
        try {
          baseUrl = new URI(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        } catch (URISyntaxException e) {
          throw invalid(ConfigOption.API_BASE_URL, "an http:// or https:// URL");
        }
        if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme()) || baseUrl.getHost() == null
            || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
          throw invalid(ConfigOption.API_BASE_URL, "an http:// or https:// URL without query or fragment");
        }
      }
      java.util.Set<String> methods = new java.util.LinkedHashSet<>();
      for (String m : list(ConfigOption.API_METHODS)) {
        String upper = m.toUpperCase(Locale.ROOT);
        if (!java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(upper)) {
          throw invalid(ConfigOption.API_METHODS, "a list of GET, POST, PUT, PATCH, DELETE");
        }
        methods.add(upper);
      }
      return new ApiSettings(baseUrl, seconds(ConfigOption.API_TIMEOUT), headers(), methods,
          integer(ConfigOption.API_MAX_RESPONSE), integer(ConfigOption.API_MAX_PER_CONNECTION),
          integer(ConfigOption.API_MAX_CONCURRENT), Path.of(stringOr(ConfigOption.TASKS_FILE)),
          seconds(ConfigOption.TASKS_MIN_INTERVAL), integer(ConfigOption.TASKS_MAX_PER_DEVICE),
          seconds(ConfigOption.TASKS_OWNER_TTL));
    }

    /** A YAML mapping, or "Name: value; Name2: value2" from the environment or a flag. */
    private java.util.Map<String, String> headers() {
      java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
      Object v = raw.get(ConfigOption.API_HEADERS);
      if (v instanceof io.vertx.core.json.JsonObject map) {
        map.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
      } else if (v instanceof java.util.Map<?, ?> map) {
        map.forEach((k, val) -> headers.put(String.valueOf(k), String.valueOf(val)));
      } else if (v != null) {
        for (String pair : v.toString().split(";")) {
          if (pair.isBlank()) {
            continue;
          }
          int colon = pair.indexOf(':');
          if (colon <= 0) {
            throw invalidHeaders();
          }
          headers.put(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
        }
      }
      for (java.util.Map.Entry<String, String> h : headers.entrySet()) {
        if (!h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || h.getValue().matches("(?s).*[\\r\\n\\x00].*")) {
          throw invalidHeaders();
        }
      }
      return headers;
    }

    private ConfigException invalidHeaders() {
      // Values are secrets as often as not: name the option, not the value.
      return new ConfigException("invalid value for " + ConfigOption.API_HEADERS.label() + " from "
          + origin.getOrDefault(ConfigOption.API_HEADERS, "default") + ": expected 'Name: value; Name2: value2'"
          + " with token names and no line breaks");
    }

    private Integer optionalPort(ConfigOption o) {
      String v = string(o);
      if (v == null) {
        return null;
      }
      try {
        int port = Integer.parseInt(v);
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(o, "a port number from 0 to 65535");
    }

    private ClusterOptions clusterOptions(String nodeId) {
      ClusterOptions options = new ClusterOptions(stringOr(ConfigOption.CLUSTER_NAME), list(ConfigOption.CLUSTER_MEMBERS),
          string(ConfigOption.CLUSTER_KUBERNETES_SERVICE), string(ConfigOption.CLUSTER_HOST),
          integer(ConfigOption.CLUSTER_PORT), nodeId);
      if (options.enabled() && !clusteredRedis()) {
        throw new ConfigException(ConfigOption.CLUSTER_MEMBERS.env() + "/" + ConfigOption.CLUSTER_KUBERNETES_SERVICE.env()
            + ": a Hazelcast cluster carries messages through Redis; set " + ConfigOption.REDIS_URL.label() + ", "
            + ConfigOption.REDIS_SENTINELS.label() + " or " + ConfigOption.REDIS_CLUSTER_NODES.label());
      }
      for (String member : options.members()) {
        if (!member.matches("[^:\\s]+(:\\d{1,5})?")) {
          throw invalid(ConfigOption.CLUSTER_MEMBERS, "host:port entries, got '" + member + "'");
        }
      }
      return options;
    }

    private List<String> redisUrls() {
      List<String> urls = list(ConfigOption.REDIS_URL);
      for (String url : urls) {
        String problem = RedisUrl.problem(url);
        if (problem != null) {
          throw invalid(ConfigOption.REDIS_URL, "redis://[:password@]host:port[/db] URLs; " + problem);
        }
      }
      return urls;
    }

    /** How the node finds Redis: URLs (REDIS_URL), Sentinels, or a Redis Cluster; at most one way. */
    private RedisTopology redisTopology() {
      List<String> sentinels = hostPorts(ConfigOption.REDIS_SENTINELS);
      List<String> clusterNodes = hostPorts(ConfigOption.REDIS_CLUSTER_NODES);
      int ways = (list(ConfigOption.REDIS_URL).isEmpty() ? 0 : 1) + (sentinels.isEmpty() ? 0 : 1)
          + (clusterNodes.isEmpty() ? 0 : 1);
      if (ways > 1) {
        throw new ConfigException("redis: give one of " + ConfigOption.REDIS_URL.label() + ", "
            + ConfigOption.REDIS_SENTINELS.label() + " or " + ConfigOption.REDIS_CLUSTER_NODES.label() + ", not several");
      }
      return new RedisTopology(sentinels, stringOr(ConfigOption.REDIS_MASTER_NAME),
          string(ConfigOption.REDIS_SENTINEL_PASSWORD), string(ConfigOption.REDIS_PASSWORD), clusterNodes);
    }

    private List<String> hostPorts(ConfigOption o) {
      List<String> values = list(o);
      for (String v : values) {
        int colon = v.lastIndexOf(':');
        boolean ok = colon > 0 && colon < v.length() - 1;
        if (ok) {
          try {
            int port = Integer.parseInt(v.substring(colon + 1));
            ok = port > 0 && port <= 65535;
          } catch (NumberFormatException e) {
            ok = false;
          }
        }
        if (!ok) {
          throw invalid(o, "comma-separated host:port pairs");
        }
      }
      return values;
    }

    private List<String> list(ConfigOption o) {
      Object v = raw.get(o);
      if (v instanceof List<?> l) {
        return l.stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
      }
      return Arrays.stream(value(o).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  }
}
