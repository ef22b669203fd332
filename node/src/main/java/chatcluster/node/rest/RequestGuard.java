package chatcluster.node.rest;

import chatcluster.node.protocol.ChatException;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a client may ask the REST relay for: a path under the configured base (no scheme, host,
 * backslash, control characters, or {@code ..} escaping the base, encoded or not) and headers that
 * are neither hop-by-hop nor {@code Host}. Everything else is {@code bad_request}.
 */
public final class RequestGuard {
  private static final Set<String> FORBIDDEN_HEADERS = Set.of("host", "connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final int MAX_PATH = 2048;

  private RequestGuard() {}

  /** Returns the path to append to the base URL, dot segments resolved, or fails with {@code bad_request}. */
  public static String path(String path) {
    if (path.isEmpty() || path.length() > MAX_PATH) {
      throw ChatException.badRequest("path must be 1 to " + MAX_PATH + " characters");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw ChatException.badRequest("path must not contain control characters (CR, LF, ...)");
      }
    }
    if (!path.startsWith("/")) {
      throw ChatException.badRequest("path must start with '/': give a path, not a URL");
    }
    if (path.startsWith("//") || SCHEME.matcher(path.substring(1)).find() && path.contains("://")) {
      throw ChatException.badRequest("path must not name a scheme or host");
    }
    if (path.indexOf('\\') >= 0 || path.toLowerCase(Locale.ROOT).contains("%5c")) {
      throw ChatException.badRequest("path must not contain backslashes");
    }
    int end = path.length();
    for (char stop : new char[] {'?', '#'}) {
      int i = path.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    if (path.indexOf('#') >= 0) {
      throw ChatException.badRequest("path must not contain a fragment");
    }
    // Resolve dot segments (also %-encoded ones) on the raw segments, so that what is sent is what
    // was checked, with the client's other escapes left as they were.
    ArrayDeque<String> segments = new ArrayDeque<>();
    String[] raw = path.substring(1, end).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      String segment = decode(raw[i]);
      boolean last = i == raw.length - 1;
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          throw ChatException.badRequest("path must not leave the API's base path ('..')");
        }
        segments.removeLast();
        if (last) {
          segments.addLast("");
        }
      } else if (segment.equals(".")) {
        if (last) {
          segments.addLast("");
        }
      } else {
        segments.addLast(raw[i]);
      }
    }
    return "/" + String.join("/", segments) + path.substring(end);
  }

  private static String decode(String segment) {
    String decoded;
    try {
      decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ChatException.badRequest("path has a malformed %-escape");
    }
    if (decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || decoded.indexOf('/') >= 0) {
      throw ChatException.badRequest("path must not contain control characters or encoded slashes");
    }
    return decoded;
  }

  /** The client's headers, checked; null stays empty. */
  public static Map<String, String> headers(JsonObject headers) {
    Map<String, String> out = new LinkedHashMap<>();
    if (headers == null) {
      return out;
    }
    for (Map.Entry<String, Object> h : headers) {
      String name = h.getKey();
      if (!TOKEN.matcher(name).matches()) {
        throw ChatException.badRequest("header name '" + printable(name) + "' is not a valid token");
      }
      if (FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw ChatException.badRequest("header '" + name + "' may not be set by clients");
      }
      if (!(h.getValue() instanceof String value)) {
        throw ChatException.badRequest("header '" + name + "' must be a string");
      }
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw ChatException.badRequest("header '" + name + "' must not contain CR or LF");
      }
      out.put(name, value);
    }
    return out;
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) : s;
    return cut.replaceAll("[\\p{Cntrl}]", "?");
  }
}
