package chatcluster.node.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every scalar option of a node: its key in the YAML file (dotted for nested sections), its
 * environment variable, its command-line flag, its type and its default. docs/configuration.md's option table lists
 * exactly these (a test checks it).
 */
public enum ConfigOption {
  HOST("host", "WEBSOCKET_HOST", Type.STRING, "0.0.0.0", "Address the WebSocket and HTTP server binds to."),
  PORT("port", "WEBSOCKET_PORT", Type.PORT, "8080", "Port of the WebSocket and HTTP server (0 picks a free one)."),
  EVENT_LOOPS("eventLoops", "WEBSOCKET_EVENT_LOOPS", Type.NON_NEGATIVE_INT, "0",
      "Event loops serving connections, sharing the port (0: one per CPU core)."),
  MAX_CLIENTS("maxClients", "WEBSOCKET_MAX_CLIENTS", Type.POSITIVE_INT, "10000",
      "Connections this node accepts; one more is closed with 1013."),
  PING_INTERVAL("pingInterval", "WEBSOCKET_PING_INTERVAL", Type.SECONDS, "30",
      "Seconds between WebSocket pings; a connection silent for two intervals is closed."),
  MAX_MESSAGE_SIZE("maxMessageSize", "WEBSOCKET_MAX_MESSAGE_SIZE", Type.POSITIVE_INT, "65536",
      "Largest client message in bytes; a larger one closes the connection with 1009."),
  DEBUG("debug", "WEBSOCKET_DEBUG", Type.BOOLEAN, "false", "Log at DEBUG level (frames in and out, decisions)."),
  AUTH_ENABLED("auth.enabled", "WEBSOCKET_AUTH_ENABLED", Type.BOOLEAN, "false",
      "Require every connection to authenticate; otherwise anonymous connections are allowed."),
  AUTH_TOKEN("auth.token", "WEBSOCKET_AUTH_TOKEN", Type.SECRET, "", "Static shared token accepted as a credential."),
  JWT_SECRET("auth.jwtSecret", "WEBSOCKET_JWT_SECRET", Type.SECRET, "", "HS256 secret for JWT credentials."),
  JWT_PUBLIC_KEY("auth.jwtPublicKey", "WEBSOCKET_JWT_PUBLIC_KEY", Type.FILE, "",
      "PEM file with the RS256 or ES256 public key for JWT credentials."),
  AUTH_TIMEOUT("auth.timeout", "WEBSOCKET_AUTH_TIMEOUT", Type.SECONDS, "10",
      "Seconds a connection without a handshake credential has to send its auth frame (then 4001)."),
  AUTH_QUERY_TOKEN("auth.queryToken", "WEBSOCKET_AUTH_QUERY_TOKEN", Type.BOOLEAN, "false",
      "Accept ?token= in the URL (it leaks into access logs: off by default)."),
  AUTH_CLAIMED_IDENTITY("auth.claimedIdentity", "WEBSOCKET_AUTH_CLAIMED_IDENTITY", Type.BOOLEAN, "false",
      "Development only, insecure: let connections without a granting credential pick ?user= and ?device=."),
  JWT_ALLOW_NO_EXP("auth.jwtAllowNoExp", "WEBSOCKET_JWT_ALLOW_NO_EXP", Type.BOOLEAN, "false",
      "Accept JWTs without an exp claim (otherwise refused: a token must expire)."),
  JWT_ISSUER("auth.jwtIssuer", "WEBSOCKET_JWT_ISSUER", Type.STRING, "", "Required iss claim of JWTs (unset: not checked)."),
  JWT_AUDIENCE("auth.jwtAudience", "WEBSOCKET_JWT_AUDIENCE", Type.STRING, "",
      "Required aud claim of JWTs (unset: not checked)."),
  JWT_LEEWAY("auth.jwtLeeway", "WEBSOCKET_JWT_LEEWAY", Type.NON_NEGATIVE_INT, "30",
      "Seconds of clock skew allowed when checking exp and nbf."),
  IP_ALLOW("ipAllow", "WEBSOCKET_IP_ALLOW", Type.LIST, "",
      "Comma-separated CIDRs (or addresses) allowed to connect; empty allows any. Others get 403 before the upgrade."),
  IP_DENY("ipDeny", "WEBSOCKET_IP_DENY", Type.LIST, "",
      "Comma-separated CIDRs (or addresses) refused with 403 before the upgrade."),
  MAX_CONNECTIONS_PER_IP("maxConnectionsPerIp", "WEBSOCKET_MAX_CONNECTIONS_PER_IP", Type.NON_NEGATIVE_INT, "0",
      "Open connections one client address may hold on a node (0: no cap); more get 429 before the upgrade."),
  CONNECT_RATE_PER_IP("connectRatePerIp", "WEBSOCKET_CONNECT_RATE_PER_IP", Type.NON_NEGATIVE_INT, "0",
      "New connections per second one client address may open on a node, burst twice that (0: no cap); 429."),
  RATE_LIMIT_GRACE("rateLimitGrace", "WEBSOCKET_RATE_LIMIT_GRACE", Type.SECONDS, "5",
      "Seconds a connection may keep sending over its rate (its extra frames dropped) before it is closed with 4029."),
  MAX_SUBSCRIPTIONS("maxSubscriptions", "WEBSOCKET_MAX_SUBSCRIPTIONS", Type.POSITIVE_INT, "200",
      "Channels one connection may subscribe to; one more is refused with rate_limited."),
  CHANNEL_PUBLISH_RATE("channelPublishRate", "WEBSOCKET_CHANNEL_PUBLISH_RATE", Type.NON_NEGATIVE_INT, "0",
      "Client publishes per second one channel accepts on a node, burst twice that (0: no cap); more get rate_limited."),
  SSL_CERT("ssl.cert", "WEBSOCKET_SSL_CERT_PATH", Type.FILE, "", "PEM certificate (chain): serve wss:// with TLS 1.2/1.3.",
      "WEBSOCKET_SSL_CERT"),
  SSL_KEY("ssl.key", "WEBSOCKET_SSL_KEY_PATH", Type.FILE, "", "PEM private key of that certificate.",
      "WEBSOCKET_SSL_KEY"),
  ALLOWED_ORIGINS("allowedOrigins", "ALLOWED_ORIGINS", Type.LIST, "",
      "Comma-separated Origin values allowed to connect; empty allows any. Others are closed with 1008."),
  TRUSTED_PROXIES("trustedProxies", "TRUSTED_PROXIES", Type.LIST, "",
      "Comma-separated proxy IPs or CIDRs whose X-Forwarded-For names the client's address."),
  DYNAMIC_CHANNELS("dynamicChannels", "WEBSOCKET_DYNAMIC_CHANNELS", Type.BOOLEAN, "true",
      "Allow channels that no declaration matches (they get the default options)."),
  RATE_LIMIT("rateLimit", "WEBSOCKET_RATE_LIMIT", Type.NON_NEGATIVE_INT, "100",
      "Frames per second a connection may send (0: unlimited); more are dropped (one rate_limited a second), for longer than rateLimitGrace closes 4029."),
  RATE_BURST("rateBurst", "WEBSOCKET_RATE_BURST", Type.NON_NEGATIVE_INT, "200",
      "Frames a connection may send at once above the rate."),
  SEND_QUEUE_MAX("sendQueueMax", "WEBSOCKET_SEND_QUEUE_MAX", Type.POSITIVE_INT, "1048576",
      "Bytes waiting to be written to one connection; a slower consumer is closed with 4029."),
  SEND_BUFFER("sendBuffer", "WEBSOCKET_SEND_BUFFER", Type.NON_NEGATIVE_INT, "131072",
      "Bytes of the kernel's send buffer per connection (SO_SNDBUF; 0: the kernel's autotuning, up to 4 MB on Linux). With sendQueueMax it bounds what a slow connection holds."),
  TCP_NO_DELAY("tcpNoDelay", "WEBSOCKET_TCP_NODELAY", Type.BOOLEAN, "true",
      "Send each frame at once (TCP_NODELAY). false lets the kernel hold small frames while earlier ones are unacknowledged (Nagle): less CPU per delivery at high rates, up to tens of ms more latency."),
  WRITE_DELAY("writeDelay", "WEBSOCKET_WRITE_DELAY", Type.NON_NEGATIVE_INT, "0",
      "Milliseconds (0 to 1000) the node may hold fan-out frames for a connection that takes several per WebSocket frame (batch), to send them together. 0: only what is already queued."),
  DRAIN_TIMEOUT("drainTimeout", "WEBSOCKET_DRAIN_TIMEOUT", Type.SECONDS, "10",
      "Seconds over which SIGTERM closes clients with 1012 before the node exits."),
  NODE_ID("nodeId", "NODE_ID", Type.STRING, "", "This node's id in welcome frames and presence (default node-<random>)."),
  REDIS_URL("redisUrl", "REDIS_URL", Type.LIST, "",
      "Redis server URL (redis://[:password@]host:port[/db]); several, comma-separated, shard channels by hash. "
          + "Unset: the node runs alone, in memory."),
  REDIS_SENTINELS("redisSentinels", "REDIS_SENTINELS", Type.LIST, "",
      "Comma-separated host:port of Redis Sentinels; the node follows the master they name (instead of REDIS_URL)."),
  REDIS_MASTER_NAME("redisMasterName", "REDIS_MASTER_NAME", Type.STRING, "mymaster",
      "Name of the master the Sentinels watch."),
  REDIS_SENTINEL_PASSWORD("redisSentinelPassword", "REDIS_SENTINEL_PASSWORD", Type.SECRET, "",
      "Password of the Sentinels themselves (the master's goes in REDIS_PASSWORD)."),
  REDIS_PASSWORD("redisPassword", "REDIS_PASSWORD", Type.SECRET, "",
      "Password of the Redis master found through Sentinel, or of the Redis Cluster nodes."),
  REDIS_CLUSTER_NODES("redisClusterNodes", "REDIS_CLUSTER_NODES", Type.LIST, "",
      "Comma-separated host:port of Redis Cluster servers, any of them (Redis 7: sharded pub/sub; run Redis with cluster-require-full-coverage no); instead of REDIS_URL."),
  REDIS_PREFIX("redisPrefix", "REDIS_PREFIX", Type.STRING, "chatcluster:",
      "Prefix of every Redis key and pub/sub channel, to share one Redis between clusters."),
  CLUSTER_NAME("cluster.name", "CLUSTER_NAME", Type.STRING, "chatcluster",
      "Hazelcast cluster name: nodes join only a cluster of their own name."),
  CLUSTER_MEMBERS("cluster.members", "CLUSTER_MEMBERS", Type.LIST, "",
      "Comma-separated host:port of Hazelcast members to join by TCP-IP (multicast is off). Needs REDIS_URL."),
  CLUSTER_KUBERNETES_SERVICE("cluster.kubernetesService", "CLUSTER_KUBERNETES_SERVICE", Type.STRING, "",
      "DNS name of a headless Service whose addresses are the Hazelcast members. Needs REDIS_URL."),
  CLUSTER_DEAD_AFTER("cluster.deadAfter", "CLUSTER_DEAD_AFTER", Type.SECONDS, "6",
      "Seconds of Redis heartbeat silence (heartbeats every 2 s) after which a node is taken for dead and its presence, "
      + "routes and counter shares are removed; at least 4. Lower heals faster, higher spares a node stalled by GC."),
  CLUSTER_PORT("cluster.port", "CLUSTER_PORT", Type.PORT, "5701", "Hazelcast member port (the next ones are tried when taken)."),
  CLUSTER_HOST("cluster.host", "CLUSTER_HOST", Type.STRING, "",
      "Address Hazelcast and the event bus bind to and advertise (default: Hazelcast picks an interface)."),
  RELAY_SOCKET("relay.socket", "RELAY_SOCKET", Type.STRING, "",
      "Path of the backend relay's Unix domain socket (mode 0660; a stale one is replaced). Unset: off."),
  RELAY_API_KEY("relay.apiKey", "RELAY_API_KEY", Type.SECRET, "",
      "Bearer key of the backend HTTP API (/api/relay, /api/nodes, ...). Unset: the HTTP API is off."),
  RELAY_HTTP_PORT("relay.httpPort", "RELAY_HTTP_PORT", Type.STRING, "",
      "Serve the HTTP API on this port only (same host), not on the WebSocket port. Unset: the WebSocket port."),
  RELAY_MAX_BODY("relay.maxBody", "RELAY_MAX_BODY", Type.POSITIVE_INT, "1048576",
      "Largest relay request in bytes, on the socket and over HTTP (then ERR too_large / 413)."),
  ADMIN_TOKEN("admin.token", "ADMIN_TOKEN", Type.SECRET, "",
      "Bearer token of the operations console (/admin) and its API (/admin/api/), at least 16 characters. Unset: both are off."),
  ADMIN_JWT("admin.jwt", "ADMIN_JWT", Type.BOOLEAN, "false",
      "Also accept as the admin credential a JWT the node's authentication verifies whose admin claim is true (needs admin.token)."),
  API_BASE_URL("api.baseUrl", "API_BASE_URL", Type.STRING, "",
      "Base URL of the REST API that clients' request commands call (http or https). Unset: request answers unavailable."),
  API_TIMEOUT("api.timeout", "API_TIMEOUT", Type.SECONDS, "10", "Seconds an API call may take; then the client gets timeout."),
  API_HEADERS("api.headers", "API_HEADERS", Type.STRING, "",
      "Headers the node adds to every API call (e.g. an API key): a YAML mapping, or 'Name: value; Name2: value2'."),
  API_METHODS("api.methods", "API_METHODS", Type.LIST, "GET,POST,PUT,PATCH,DELETE",
      "HTTP methods clients may use; others get bad_request."),
  API_MAX_RESPONSE("api.maxResponse", "API_MAX_RESPONSE", Type.POSITIVE_INT, "1048576",
      "Largest API response body in bytes; a larger one is upstream_error."),
  API_MAX_PER_CONNECTION("api.maxPerConnection", "API_MAX_PER_CONNECTION", Type.POSITIVE_INT, "8",
      "API calls one connection may have in flight; more get rate_limited."),
  API_MAX_CONCURRENT("api.maxConcurrent", "API_MAX_CONCURRENT", Type.POSITIVE_INT, "256",
      "API calls the node may have in flight (clients and scheduled tasks); more get rate_limited."),
  TASKS_FILE("tasks.file", "TASKS_FILE", Type.STRING, "tasks/scheduled_tasks.json",
      "Where a node without Redis keeps scheduled tasks (written atomically; a corrupt file is moved aside)."),
  TASKS_MIN_INTERVAL("tasks.minInterval", "TASKS_MIN_INTERVAL", Type.SECONDS, "1", "Shortest interval of a scheduled task."),
  TASKS_MAX_PER_DEVICE("tasks.maxPerDevice", "TASKS_MAX_PER_DEVICE", Type.POSITIVE_INT, "20",
      "Scheduled tasks one device may own."),
  TASKS_OWNER_TTL("tasks.ownerTtl", "TASKS_OWNER_TTL", Type.SECONDS, "86400",
      "A task whose owner has not been connected for this long ends."),
  SSL_ENABLED("ssl.enabled", "WEBSOCKET_SSL", Type.BOOLEAN, "",
      "true requires ssl.cert and ssl.key; false serves plain ws:// even with them. Unset: TLS when both are given."),
  WEBSOCKET_ENABLED("websocketEnabled", "WEBSOCKET_ENABLED", Type.BOOLEAN, "true",
      "Serve the client WebSocket endpoint /ws; false leaves only the relay, the HTTP API, health and metrics."),
  ERROR_LOG("errorLog", "WEBSOCKET_ERROR_LOG", Type.STRING, "",
      "File that also gets every WARN and ERROR line (appended; its directory is created)."),
  LOG_CHANNEL("logChannel", "WEBSOCKET_LOG_CHANNEL", Type.STRING, "stdout",
      "Where log lines go: stdout, stderr, or daily (chatcluster-YYYY-MM-DD.log beside errorLog, 14 days kept)."),
  INBOX_ENABLED("inbox.enabled", "INBOX_ENABLED", Type.BOOLEAN, "false",
      "Whether send (and the relay's sendToUser / sendToDevice) stores each message in the recipient's inbox, "
      + "delivered to every device of it until that device acknowledges it (inbox_ack)."),
  INBOX_SIZE("inbox.size", "INBOX_SIZE", Type.POSITIVE_INT, "1000",
      "Messages one inbox keeps; the oldest go first and a device that missed them is told (inbox_gap)."),
  INBOX_TTL("inbox.ttl", "INBOX_TTL", Type.SECONDS, "604800",
      "Seconds an inbox is kept after its last message (default 7 days)."),
  PUBLISH_KEY_TTL("publishKeyTtl", "WEBSOCKET_PUBLISH_KEY_TTL", Type.SECONDS, "600",
      "Seconds a publish's key is remembered on its channel: a publish with the same key gets the first one's ack."),
  PUSHER_APP_ID("pusher.appId", "PUSHER_APP_ID", Type.STRING, "",
      "Id of a Pusher app served at /app/{key} and /apps/{id} (with the key and secret; more apps: pusher.apps in the file)."),
  PUSHER_APP_KEY("pusher.appKey", "PUSHER_APP_KEY", Type.STRING, "", "Key of that Pusher app (clients connect with it)."),
  PUSHER_APP_SECRET("pusher.appSecret", "PUSHER_APP_SECRET", Type.SECRET, "",
      "Secret of that Pusher app: checks channel authorizations, sign-ins and API requests, signs webhooks."),
  PUSHER_APP_CLIENT_EVENTS("pusher.appClientEvents", "PUSHER_APP_CLIENT_EVENTS", Type.BOOLEAN, "true",
      "Whether that app's clients may send client-* events on private and presence channels."),
  PUSHER_APP_MAX_CONNECTIONS("pusher.appMaxConnections", "PUSHER_APP_MAX_CONNECTIONS", Type.NON_NEGATIVE_INT, "0",
      "Connections that app may hold over the whole cluster (0: no cap); more get pusher:error 4004."),
  PUSHER_APP_WEBHOOKS("pusher.appWebhooks", "PUSHER_APP_WEBHOOKS", Type.LIST, "",
      "Comma-separated URLs that get every webhook of that app (channel_occupied, member_added, client_event, ...)."),
  PUSHER_APP_SUBSCRIPTION_COUNT("pusher.appSubscriptionCount", "PUSHER_APP_SUBSCRIPTION_COUNT", Type.BOOLEAN, "false",
      "Whether that app's subscribers of public and private channels get the channel's cluster-wide subscription count "
      + "when it changes (pusher:subscription_count, at most once a second per channel and node), with its webhook."),
  PUSHER_APP_WATCHLIST_EVENTS("pusher.appWatchlistEvents", "PUSHER_APP_WATCHLIST_EVENTS", Type.BOOLEAN, "false",
      "Whether that app's signed-in users get the online status of the users in their sign-in's watchlist "
      + "(pusher_internal:watchlist_events, at most 100 ids, cluster-wide).");

  /** How a raw value is checked and read. */
  public enum Type { STRING, SECRET, FILE, PORT, POSITIVE_INT, NON_NEGATIVE_INT, BOOLEAN, SECONDS, LIST }

  private final String key;
  private final String env;
  private final Type type;
  private final String defaultValue;
  private final String description;
  private final List<String> envAliases;

  /** @param envAliases other environment names read when {@code env} is not set (the original server's) */
  ConfigOption(String key, String env, Type type, String defaultValue, String description, String... envAliases) {
    this.key = key;
    this.env = env;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
    this.envAliases = List.of(envAliases);
  }

  public String key() {
    return key;
  }

  public String env() {
    return env;
  }

  /** Environment names also read, in this order, when {@link #env()} is unset or empty. */
  public List<String> envAliases() {
    return envAliases;
  }

  /** The flag: the key in kebab case, {@code auth.jwtSecret} is {@code --auth-jwt-secret}. */
  public String flag() {
    return "--" + key.replace('.', '-').replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  public Type type() {
    return type;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** How the option is named in error messages: all three spellings. */
  public String label() {
    return key + " (" + env + ", " + flag() + ")";
  }

  public static Optional<ConfigOption> byKey(String key) {
    return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
  }

  public static Optional<ConfigOption> byFlag(String flag) {
    return Arrays.stream(values()).filter(o -> o.flag().equals(flag)).findFirst();
  }
}
