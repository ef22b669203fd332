package chatcluster.node.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * JSON numbers every reader takes: a literal such as {@code 1e400} parses as an infinite double,
 * which JSON cannot carry on (it would reach subscribers as something else than was sent), so
 * inputs holding one are refused where they come in (client frames, relay requests).
 */
public final class JsonNumbers {
  /** How deep a document is looked into; deeper ones are refused by their size long before. */
  private static final int MAX_DEPTH = 512;

  private JsonNumbers() {
  }

  /** Whether every number in a decoded JSON value is finite. */
  public static boolean allFinite(Object value) {
    return allFinite(value, 0);
  }

  private static boolean allFinite(Object value, int depth) {
    if (value instanceof Double d) {
      return Double.isFinite(d);
    }
    if (value instanceof Float f) {
      return Float.isFinite(f);
    }
    if (depth > MAX_DEPTH) {
      return true;
    }
    if (value instanceof JsonObject o) {
      return allFinite(o.getMap(), depth);
    }
    if (value instanceof JsonArray a) {
      return allFinite(a.getList(), depth);
    }
    if (value instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        if (!allFinite(v, depth + 1)) {
          return false;
        }
      }
    } else if (value instanceof List<?> l) {
      for (Object v : l) {
        if (!allFinite(v, depth + 1)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Why an HTTP body is not the UTF-8 JSON text RFC 8259 asks for, or null when it may be: a
   * byte-order mark (UTF-8's, or UTF-16's and UTF-32's) or a NUL byte (UTF-16 or UTF-32 without a
   * mark). A JSON parser would guess the encoding and take it; the node says no instead.
   */
  public static String notUtf8Json(io.vertx.core.buffer.Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    int b0 = body.getUnsignedByte(0);
    if (b0 == 0xEF || b0 == 0xFE || b0 == 0xFF) {
      return "the body starts with a byte-order mark: send UTF-8 JSON without one";
    }
    for (int i = 0; i < body.length(); i++) {
      if (body.getByte(i) == 0) {
        return "the body has a NUL byte (UTF-16 or UTF-32?): send UTF-8 JSON";
      }
    }
    return null;
  }
}
