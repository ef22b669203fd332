package chatcluster.node.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The only class that maps wire JSON to and from the node's types. Server frames are returned as
 * encoded {@link Buffer}s so that a frame is encoded once and the same bytes go to every receiver.
 */
public final class FrameCodec {
  public static final int MAX_ID_LENGTH = 64;
  private static final Set<String> REQUEST_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private FrameCodec() {}

  // ---------------------------------------------------------------- decoding

  /** Decodes one text frame; every problem becomes an {@link InvalidFrameException} naming it. */
  public static ClientFrame decode(String text) throws InvalidFrameException {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "frame is not valid JSON");
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "frame must be a JSON object");
    }
    Object id = decodeId(json);
    if (!JsonNumbers.allFinite(json)) {
      throw new InvalidFrameException(id, ErrorCode.BAD_REQUEST, "numbers must be finite (a literal such as 1e400 "
          + "overflows a double)");
    }
    Fields f = new Fields(json, id);
    Object type = json.getValue("type");
    if (type == null) {
      if (json.containsKey("path") && json.containsKey("method")) {
        return request(f, id, false);
      }
      throw f.invalid(ErrorCode.BAD_REQUEST, "missing field 'type'");
    }
    if (!(type instanceof String t)) {
      throw f.invalid(ErrorCode.BAD_REQUEST, "field 'type' must be a string");
    }
    return switch (t) {
      case "auth" -> new ClientFrame.Auth(id, f.optString("token"), f.optString("user"), f.optString("device"));
      case "subscribe" -> new ClientFrame.Subscribe(id, f.string("channel"), f.since());
      case "unsubscribe" -> new ClientFrame.Unsubscribe(id, f.string("channel"));
      case "publish" -> new ClientFrame.Publish(id, f.string("channel"), f.data(true), f.key());
      case "event" -> new ClientFrame.Event(id, f.string("name"), f.optString("channel"), f.data(false));
      case "send" -> new ClientFrame.Send(id, f.target(), f.data(true), f.optBoolean("receipt"));
      case "inbox_ack" -> new ClientFrame.InboxAck(id, f.inboxName(), f.offset());
      case "presence" -> new ClientFrame.Presence(id, f.string("channel"));
      case "history" -> new ClientFrame.History(id, f.string("channel"), f.optPositiveInt("limit"), f.since());
      case "request" -> request(f, id, true);
      case "tasks" -> new ClientFrame.Tasks(id);
      case "cancel" -> new ClientFrame.Cancel(id, f.string("task"));
      case "ping" -> new ClientFrame.Ping(id);
      default -> throw f.invalid(ErrorCode.UNKNOWN_TYPE, "unknown type '" + truncate(t) + "'");
    };
  }

  private static ClientFrame request(Fields f, Object id, boolean typed) throws InvalidFrameException {
    String path = f.string("path");
    String method = f.string("method").toUpperCase(java.util.Locale.ROOT);
    if (!REQUEST_METHODS.contains(method)) {
      throw f.invalid(ErrorCode.BAD_REQUEST, "field 'method' must be one of " + REQUEST_METHODS);
    }
    Object headers = f.json.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      throw f.invalid(ErrorCode.BAD_REQUEST, "field 'headers' must be an object");
    }
    Object interval = f.json.getValue("interval");
    long seconds = 0;
    if (interval != null) {
      Long n = wholeNumber(interval, MAX_INTERVAL_SECONDS);
      if (n == null) {
        throw f.invalid(ErrorCode.BAD_REQUEST, "field 'interval' must be a whole number of seconds from 0 to "
            + MAX_INTERVAL_SECONDS);
      }
      seconds = n;
    }
    return new ClientFrame.Request(id, path, method, f.json.getValue("body"), (JsonObject) headers, seconds, typed);
  }

  private static Object decodeId(JsonObject json) throws InvalidFrameException {
    Object id = json.getValue("id");
    if (id == null) {
      return null;
    }
    if (id instanceof String s) {
      if (s.length() > MAX_ID_LENGTH) {
        throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "field 'id' is longer than 64 characters");
      }
      return s;
    }
    if (id instanceof Number n) {
      if ((n instanceof Double d && !Double.isFinite(d)) || (n instanceof Float fl && !Float.isFinite(fl))) {
        throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "field 'id' must be a finite number");
      }
      if (n.toString().length() > MAX_ID_LENGTH) {
        throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "field 'id' is longer than 64 characters");
      }
      return n;
    }
    throw new InvalidFrameException(null, ErrorCode.BAD_REQUEST, "field 'id' must be a string or a number");
  }

  /** Largest whole number every JSON reader holds exactly (2^53 - 1). */
  private static final long MAX_EXACT = (1L << 53) - 1;
  private static final long MAX_INTERVAL_SECONDS = 366L * 86_400;

  /** A JSON number that is whole, finite and in [0, max], as a long; null otherwise. */
  private static Long wholeNumber(Object v, long max) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      long n = ((Number) v).longValue();
      return n >= 0 && n <= max ? n : null;
    }
    if (v instanceof java.math.BigInteger b) {
      return b.signum() >= 0 && b.bitLength() < 63 && b.longValue() <= max ? b.longValue() : null;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) && d == Math.floor(d) && d >= 0 && d <= max ? (long) d : null;
    }
    return null;
  }

  private static String truncate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  /** Field access that names the field in every error. */
  private record Fields(JsonObject json, Object id) {
    InvalidFrameException invalid(ErrorCode code, String message) {
      return new InvalidFrameException(id, code, message);
    }

    String string(String name) throws InvalidFrameException {
      Object v = json.getValue(name);
      if (v == null) {
        throw invalid(ErrorCode.BAD_REQUEST, "missing field '" + name + "'");
      }
      if (!(v instanceof String s)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field '" + name + "' must be a string");
      }
      return s;
    }

    String optString(String name) throws InvalidFrameException {
      return json.getValue(name) == null ? null : string(name);
    }

    Integer optPositiveInt(String name) throws InvalidFrameException {
      Object v = json.getValue(name);
      if (v == null) {
        return null;
      }
      Long n = wholeNumber(v, Integer.MAX_VALUE);
      if (n == null) {
        throw invalid(ErrorCode.BAD_REQUEST, "field '" + name + "' must be a whole number from 0 to "
            + Integer.MAX_VALUE);
      }
      return n.intValue();
    }

    boolean optBoolean(String name) throws InvalidFrameException {
      Object v = json.getValue(name);
      if (v != null && !(v instanceof Boolean)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field '" + name + "' must be true or false");
      }
      return Boolean.TRUE.equals(v);
    }

    /** A publish's retry key: 1 to 128 characters when given. */
    String key() throws InvalidFrameException {
      String k = optString("key");
      if (k != null && (k.isEmpty() || k.length() > 128)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'key' must be 1 to 128 characters");
      }
      return k;
    }

    /** {@code inbox}: "user" (the default) or "device". */
    String inboxName() throws InvalidFrameException {
      String inbox = optString("inbox");
      if (inbox == null) {
        return "user";
      }
      if (!inbox.equals("user") && !inbox.equals("device")) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'inbox' must be \"user\" or \"device\"");
      }
      return inbox;
    }

    long offset() throws InvalidFrameException {
      Long n = wholeNumber(json.getValue("offset"), MAX_EXACT);
      if (n == null) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'offset' must be a whole number from 0 to " + MAX_EXACT);
      }
      return n;
    }

    Object data(boolean required) throws InvalidFrameException {
      if (required && !json.containsKey("data")) {
        throw invalid(ErrorCode.BAD_REQUEST, "missing field 'data'");
      }
      return json.getValue("data");
    }

    ClientFrame.Since since() throws InvalidFrameException {
      Object v = json.getValue("since");
      if (v == null) {
        return null;
      }
      if (!(v instanceof JsonObject s)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'since' must be an object {offset, epoch}");
      }
      Object offset = s.getValue("offset");
      Object epoch = s.getValue("epoch");
      Long n = wholeNumber(offset, MAX_EXACT);
      if (n == null) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'since.offset' must be a whole number from 0 to " + MAX_EXACT);
      }
      if (epoch != null && !(epoch instanceof String)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'since.epoch' must be a string");
      }
      return new ClientFrame.Since(n, (String) epoch);
    }

    ClientFrame.Target target() throws InvalidFrameException {
      Object v = json.getValue("to");
      if (v == null) {
        throw invalid(ErrorCode.BAD_REQUEST, "missing field 'to'");
      }
      if (!(v instanceof JsonObject to)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'to' must be an object {user} or {device}");
      }
      Object user = to.getValue("user");
      Object device = to.getValue("device");
      if ((user == null) == (device == null)) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'to' must name exactly one of 'user' or 'device'");
      }
      Object value = user != null ? user : device;
      if (!(value instanceof String s) || s.isEmpty()) {
        throw invalid(ErrorCode.BAD_REQUEST, "field 'to." + (user != null ? "user" : "device")
            + "' must be a non-empty string");
      }
      return user != null ? new ClientFrame.Target(s, null) : new ClientFrame.Target(null, s);
    }
  }

  // ---------------------------------------------------------------- encoding

  public static Buffer ack(Object id, JsonObject result) {
    return encode(new JsonObject().put("type", "ack").put("id", id).put("result", result));
  }

  public static Buffer error(Object id, ErrorCode code, String message) {
    return encode(new JsonObject().put("type", "error").put("id", id).put("code", code.wire()).put("message", message));
  }

  public static Buffer pong(Object id) {
    return encode(new JsonObject().put("type", "pong").put("id", id));
  }

  public static Buffer welcome(String session, String node, String user, String device, long heartbeatSeconds) {
    return welcome(session, node, user, device, heartbeatSeconds, false);
  }

  /** With {@code batch}: the node may send several frames per WebSocket frame, newline-separated. */
  public static Buffer welcome(String session, String node, String user, String device, long heartbeatSeconds,
                               boolean batch) {
    if (plain(session) && plain(node) && (user == null || plain(user)) && (device == null || plain(device))) {
      // Once per connection: written directly, the bytes Jackson would write for the object below
      // (FrameCodecTest compares the two), without building and walking a map.
      StringBuilder b = new StringBuilder(128 + session.length() + node.length()
          + (user == null ? 0 : user.length()) + (device == null ? 0 : device.length()));
      b.append("{\"type\":\"welcome\",\"version\":1,\"session\":\"").append(session).append("\",\"node\":\"")
          .append(node).append("\",\"user\":");
      quoted(b, user).append(",\"device\":");
      quoted(b, device).append(",\"heartbeat\":").append(heartbeatSeconds);
      b.append(batch ? ",\"batch\":true}" : "}");
      return Buffer.buffer(b.toString().getBytes(StandardCharsets.US_ASCII));
    }
    JsonObject welcome = new JsonObject().put("type", "welcome").put("version", 1).put("session", session)
        .put("node", node).put("user", user).put("device", device).put("heartbeat", heartbeatSeconds);
    return encode(batch ? welcome.put("batch", true) : welcome);
  }

  /** Printable ASCII without quote or backslash: JSON writes it between quotes as it is. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static StringBuilder quoted(StringBuilder b, String plain) {
    return plain == null ? b.append("null") : b.append('"').append(plain).append('"');
  }

  /**
   * The bytes of a {@code message} frame up to, not including, its offset: {@code {…,"offset":}}.
   * Whoever assigns the offset completes it with {@link #completeMessage}, so a publication is encoded
   * once even though its offset is only known when the channel's stream has taken it.
   */
  public static Buffer messagePrefix(String channel, Object data, Sender from, long ts) {
    String json = new JsonObject().put("type", "message").put("channel", channel).put("data", data)
        .put("from", sender(from)).put("ts", ts).encode();
    return Buffer.buffer(json.substring(0, json.length() - 1) + ",\"offset\":");
  }

  public static Buffer completeMessage(Buffer prefix, long offset) {
    byte[] digits = Long.toString(offset).getBytes(StandardCharsets.US_ASCII);
    return Buffer.buffer(prefix.length() + digits.length + 1).appendBuffer(prefix).appendBytes(digits)
        .appendByte((byte) '}');
  }

  /** The answer to a REST relay request sent without an id: {@code {"type":"response", …result}}. */
  public static Buffer response(JsonObject result) {
    return encode(new JsonObject().put("type", "response").mergeIn(result));
  }

  /** A subscription a backend made for the client: {@code {"type":"subscribed","channel","offset","epoch"}}. */
  public static Buffer subscribed(JsonObject position) {
    return encode(new JsonObject().put("type", "subscribed").put("channel", position.getString("channel"))
        .put("offset", position.getLong("offset")).put("epoch", position.getString("epoch")));
  }

  /** A subscription a backend ended for the client. */
  public static Buffer unsubscribed(String channel) {
    return encode(new JsonObject().put("type", "unsubscribed").put("channel", channel));
  }

  public static Buffer event(String name, String channel, Object data, Sender from) {
    JsonObject json = new JsonObject().put("type", "event").put("name", name);
    if (channel != null) {
      json.put("channel", channel);
    }
    return encode(json.put("data", data).put("from", sender(from)));
  }

  public static Buffer direct(Object data, Sender from) {
    return encode(new JsonObject().put("type", "direct").put("data", data).put("from", sender(from)));
  }

  /**
   * A direct message kept in an inbox, up to its offset (completed by the broker like a channel
   * message): {@code {"type":"direct","data","from","ts","id","inbox"[,"receipt":true],"offset":…}}.
   */
  public static Buffer directPrefix(String inbox, String id, Object data, Sender from, long ts, boolean receipt) {
    JsonObject json = new JsonObject().put("type", "direct").put("data", data).put("from", sender(from)).put("ts", ts)
        .put("id", id).put("inbox", inbox);
    if (receipt) {
      json.put("receipt", true);
    }
    String text = json.encode();
    return Buffer.buffer(text.substring(0, text.length() - 1) + ",\"offset\":");
  }

  /**
   * A receipt kept in the sender's user inbox, up to its own offset there ({@code inboxOffset}):
   * message {@code id} to {@code to}, at {@code offset} of the recipient's inbox, was acknowledged by
   * {@code device}.
   */
  public static Buffer receiptPrefix(String id, JsonObject to, long offset, String device, long ts) {
    String text = new JsonObject().put("type", "receipt").put("id", id).put("to", to).put("offset", offset)
        .put("device", device).put("status", "delivered").put("ts", ts).put("inbox", "user").encode();
    return Buffer.buffer(text.substring(0, text.length() - 1) + ",\"inboxOffset\":");
  }

  /**
   * Where a connection's inbox starts: its epoch, what this device acknowledged and the inbox's last
   * offset; the backlog after {@code acked} follows. A client that handled more than {@code acked}
   * (its acknowledgement was lost) acknowledges again; one whose saved epoch differs starts anew.
   */
  public static Buffer inboxOpened(String inbox, String epoch, long acked, long offset) {
    return encode(new JsonObject().put("type", "inbox").put("inbox", inbox).put("epoch", epoch).put("acked", acked)
        .put("offset", offset));
  }

  /** Messages of an inbox the device did not get are gone (over the inbox's size or age): {@code from..to}. */
  public static Buffer inboxGap(String inbox, long from, long to) {
    return encode(new JsonObject().put("type", "inbox_gap").put("inbox", inbox).put("from", from).put("to", to));
  }

  /**
   * A subscriber's position on a channel is lost (new epoch, or messages it can no longer get):
   * {@code {"type":"reset","channel","epoch","offset"}}; the stream continues after {@code offset}.
   */
  public static Buffer reset(String channel, String epoch, long offset) {
    return encode(new JsonObject().put("type", "reset").put("channel", channel).put("epoch", epoch)
        .put("offset", offset));
  }

  /** A scheduled task's run: {@code {"type":"task","task","status","body","ts"}}. */
  public static Buffer taskResult(String task, long ts, int status, Object body) {
    return encode(new JsonObject().put("type", "task").put("task", task).put("ts", ts).put("status", status)
        .put("body", body));
  }

  /** A scheduled task's run that got no answer: status and body null, with the error's code and message. */
  public static Buffer taskFailure(String task, long ts, ErrorCode code, String message) {
    return encode(new JsonObject().put("type", "task").put("task", task).put("ts", ts).put("status", (Object) null)
        .put("body", (Object) null).put("error", code.wire()).put("message", message));
  }

  /** One entry of a presence list: {@code {user, device, node}}. */
  public static JsonObject presenceMember(String user, String device, String node) {
    return new JsonObject().put("user", user).put("device", device).put("node", node);
  }

  public static Buffer broadcast(Object data) {
    return encode(new JsonObject().put("type", "broadcast").put("data", data));
  }

  public static Buffer join(String channel, String user, String device) {
    return presenceChange("join", channel, user, device);
  }

  public static Buffer leave(String channel, String user, String device) {
    return presenceChange("leave", channel, user, device);
  }

  private static Buffer presenceChange(String type, String channel, String user, String device) {
    return encode(new JsonObject().put("type", type).put("channel", channel).put("user", user).put("device", device));
  }

  /** Decodes a stored or relayed server frame, for replies that embed frames (history). */
  public static JsonObject decodeServerFrame(Buffer frame) {
    return new JsonObject(frame);
  }

  public static JsonObject sender(Sender from) {
    return new JsonObject().put("user", from.user()).put("device", from.device());
  }

  private static Buffer encode(JsonObject json) {
    return json.toBuffer();
  }
}
