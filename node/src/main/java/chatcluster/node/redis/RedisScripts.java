package chatcluster.node.redis;

/**
 * The Lua scripts that make multi-key steps atomic on one Redis server. Run with EVALSHA ({@link
 * #call}): every link loads them all on its server when it connects ({@link #all}) and again when Redis
 * answers {@code NOSCRIPT} (a {@code SCRIPT FLUSH}), so that a publish does not carry its script's
 * text (sending it with EVAL on every publish was a fifth of the node's publish cost in a profile).
 * Each script touches the keys of one subject,
 * which share a hash slot (see {@link RedisKeys}), so they run on a Redis Cluster as well. The publish
 * script writes channel frames in the form {@code chatcluster.node.broker.NodeMessageCodec} defines:
 * {@code <origin node>\n<offset or -1>\n<epoch or target>\n<frame>}.
 */
public final class RedisScripts {
  private RedisScripts() {}

  /** SHA-1 of each script: what EVALSHA names it by. */
  private static final java.util.Map<String, String> SHAS = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code EVALSHA <sha of script>}: add numkeys, keys and arguments as with EVAL. */
  public static io.vertx.redis.client.Request call(String script) {
    return io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVALSHA)
        .arg(SHAS.computeIfAbsent(script, RedisScripts::sha1));
  }

  /** Every script of this class (its public String constants), for a link to load on its server. */
  public static java.util.List<String> all() {
    java.util.List<String> scripts = new java.util.ArrayList<>();
    for (java.lang.reflect.Field f : RedisScripts.class.getFields()) {
      if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        try {
          scripts.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return scripts;
  }

  static String sha1(String script) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The epoch rule shared by writes and reads: a channel without meta (new, or its meta lost) gets the
   * fresh epoch passed as ARGV[%d], offset 0, and no stale stream entries. KEYS: meta, stream.
   */
  private static String ensureEpoch(int freshEpochArg) {
    return """
        local epoch = redis.call('HGET', KEYS[1], 'e')
        if not epoch then
          epoch = ARGV[%d]
          redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
          redis.call('DEL', KEYS[2])
        end
        """.formatted(freshEpochArg);
  }

  /**
   * Publish: next offset, history when persistent, fan-out, in one step, so that every node sees a
   * channel's messages in offset order and history never disagrees with delivery. A stream whose
   * meta was lost starts a new epoch and drops stale entries.
   * KEYS: meta, stream, pub/sub channel (one hash slot). ARGV: frame prefix, node id, persistent (1/0),
   * historySize, historyTtl s, meta ttl s, fresh epoch, PUBLISH or SPUBLISH (sharded pub/sub in a Redis
   * Cluster). Returns {offset, epoch}.
   */
  /** The publish itself (after the epoch check): offset, history, pub/sub; leaves {@code offset} and {@code frame}. */
  private static final String APPEND_AND_PUBLISH = """
      local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
      redis.call('EXPIRE', KEYS[1], ARGV[6])
      local frame = ARGV[1] .. offset .. '}'
      if ARGV[3] == '1' then
        redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], offset .. '-0', 'f', frame)
        redis.call('EXPIRE', KEYS[2], ARGV[5])
      end
      redis.call(ARGV[8], KEYS[3], ARGV[2] .. '\\n' .. offset .. '\\n' .. epoch .. '\\n' .. frame)
      """;

  public static final String PUBLISH = ensureEpoch(7) + APPEND_AND_PUBLISH + """
      return {offset, epoch}
      """;

  /**
   * {@link #PUBLISH} of a message with a retry key: KEYS as PUBLISH's plus the key's string, ARGV as
   * PUBLISH's plus the key's TTL in seconds. When the key was used within its TTL, in the channel's
   * current epoch, nothing is published and the first publish's offset is answered: {offset, epoch,
   * 1}; else {offset, epoch, 0}. (A key of an older epoch, whose stream restarted, counts for nothing.)
   */
  public static final String PUBLISH_ONCE = ensureEpoch(7) + """
      local prev = redis.call('GET', KEYS[4])
      if prev then
        local e, o = string.match(prev, '^(.*):(%d+)$')
        if e == epoch then
          return {tonumber(o), epoch, 1}
        end
      end
      """ + APPEND_AND_PUBLISH + """
      redis.call('SET', KEYS[4], epoch .. ':' .. offset, 'EX', ARGV[9])
      return {offset, epoch, 0}
      """;

  /**
   * History and position in one consistent read.
   * KEYS: meta, stream. ARGV: since offset (-1: the latest), limit, fresh epoch, meta ttl s.
   * Returns {epoch, top offset, first retained offset, entries}.
   */
  public static final String READ = ensureEpoch(3) + """
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      local top = tonumber(redis.call('HGET', KEYS[1], 'o'))
      local since = tonumber(ARGV[1])
      local limit = tonumber(ARGV[2])
      local entries
      if limit <= 0 then
        entries = {}
      elseif since < 0 then
        entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)
      else
        entries = redis.call('XRANGE', KEYS[2], '(' .. since .. '-0', '+', 'COUNT', limit)
      end
      local first = top + 1
      local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
      if #oldest > 0 then
        first = tonumber(string.match(oldest[1][1], '^(%d+)'))
      end
      return {epoch, top, first, entries}
      """;

  /**
   * A cluster-wide counter with one share per node: increments this node's share when the sum of
   * all shares is below the limit. KEYS: counter hash. ARGV: node id, limit. (The node indexes the
   * share before, in a command of its own: a script touches one hash slot.)
   */
  public static final String ACQUIRE = """
      local total = 0
      for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
      if total >= tonumber(ARGV[2]) then return 0 end
      redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
      return 1
      """;

  /** Decrements this node's share, never below zero. KEYS: counter hash. ARGV: node id. */
  public static final String RELEASE = """
      local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
      if v <= 1 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
      return 0
      """;

  /**
   * Counts, after a change and in the same step, the presence entries of one user and of the whole
   * channel. KEYS: presence hash. ARGV[1]: the user. (A member is JSON with a "user" field.)
   */
  private static final String COUNT_USER = """
      local mine = 0
      for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
        if cjson.decode(v).user == user then mine = mine + 1 end
      end
      return mine, redis.call('HLEN', KEYS[1])
      """;

  /**
   * Enters a session into a presence channel and counts in the same step, so that of two joins of one
   * user exactly one finds itself the user's only entry. KEYS: presence hash. ARGV: session, member
   * JSON, its user. Returns {entries of the user, entries of the channel}.
   */
  public static final String PRESENCE_ADD = """
      local function count(user)
      """ + COUNT_USER + """
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      local mine, all = count(ARGV[3])
      return {mine, all}
      """;

  /**
   * A device acknowledges an inbox up to an offset: KEYS[1] positions hash, ARGV device, epoch,
   * offset, TTL ms. The position only moves forward (in its epoch); answers the one before (-1: none).
   */
  public static final String INBOX_ACK = """
      local cur = redis.call('HGET', KEYS[1], ARGV[1])
      local prev = -1
      if cur then
        local e, o = string.match(cur, '^(.*):(%-?%d+)$')
        if e == ARGV[2] then prev = tonumber(o) end
      end
      if tonumber(ARGV[3]) > prev then
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return prev
      """;

  /**
   * Takes a session out of a presence channel and counts in the same step, so that of two leaves of
   * one user exactly one finds the user gone. KEYS: presence hash. ARGV: session. Returns {the removed
   * member JSON or '' when it was not there, entries of its user left, entries of the channel left}.
   */
  public static final String PRESENCE_REMOVE = """
      local function count(user)
      """ + COUNT_USER + """
      end
      local m = redis.call('HGET', KEYS[1], ARGV[1])
      if not m then return {'', 0, redis.call('HLEN', KEYS[1])} end
      redis.call('HDEL', KEYS[1], ARGV[1])
      local mine, all = count(cjson.decode(m).user)
      return {m, mine, all}
      """;

  /** Adjusts a route count (user or device to node). KEYS: route hash. ARGV: node, delta. */
  public static final String ROUTE = """
      local v = redis.call('HINCRBY', KEYS[1], ARGV[1], tonumber(ARGV[2]))
      if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
      return v
      """;

  /**
   * {@link #ROUTE} with the node index's entry added first when the count goes up (what a dead node
   * leaves is found from its index): one round trip for one subject. Only where the index lives beside
   * the route (independent servers; never a Redis Cluster, where the two keys have different slots).
   * KEYS: route hash, node index. ARGV: node, delta, index entry ({@code u|<user>} or {@code d|<device>}).
   */
  public static final String ROUTE_INDEXED = """
      local d = tonumber(ARGV[2])
      if d > 0 then redis.call('SADD', KEYS[2], ARGV[3]) end
      local v = redis.call('HINCRBY', KEYS[1], ARGV[1], d)
      if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
      return v
      """;

  /**
   * A connection's two routes (its user's and its device's) in one round trip: the index entries
   * first when the counts go up, then both counts, as {@link #ROUTE_INDEXED} does for one. Only where
   * both routes and the node's index live on one server (never a Redis Cluster).
   * KEYS: user route, device route, node index. ARGV: node, delta, user entry, device entry.
   * Returns {user count, device count}.
   */
  public static final String ROUTES = """
      local d = tonumber(ARGV[2])
      if d > 0 then redis.call('SADD', KEYS[3], ARGV[3], ARGV[4]) end
      local u = redis.call('HINCRBY', KEYS[1], ARGV[1], d)
      if u <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
      local v = redis.call('HINCRBY', KEYS[2], ARGV[1], d)
      if v <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
      return {u, v}
      """;

  /** Takes or renews a lease. KEYS: lease. ARGV: node id, ttl ms. Returns 1 when held by this node. */
  public static final String LEASE = """
      local holder = redis.call('GET', KEYS[1])
      if holder and holder ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 1
      """;

  /** Gives a lease up if held by this node. KEYS: lease. ARGV: node id. */
  public static final String UNLEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
      return 0
      """;

  /**
   * Heartbeat in Redis time. KEYS: nodes zset. ARGV: node id. Returns 1 when the node was not listed
   * (first beat, or the others took it for dead and removed it), else 0.
   */
  public static final String HEARTBEAT = """
      local t = redis.call('TIME')
      return redis.call('ZADD', KEYS[1], t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
      """;

  /** Nodes silent longer than ARGV[1] ms, in Redis time. KEYS: nodes zset. */
  public static final String SILENT = """
      local t = redis.call('TIME')
      local now = t[1] * 1000 + math.floor(t[2] / 1000)
      return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
      """;
}
