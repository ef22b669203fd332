package chatcluster.node.transport;

import chatcluster.node.config.Cidr;
import chatcluster.node.config.NodeConfig;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an upgrade request says about its client: the credential (PROTOCOL.md section 1, ways 1, 2
 * and 4), the user and device it asks for, its Origin and its address, and the request URI (path and
 * query) for endpoints that read more of it.
 */
public record Handshake(String token, String user, String device, String origin, String remoteAddress,
                        MultiMap headers, String uri) {
  static final String SUBPROTOCOL = "chatcluster.v1";
  /** The same protocol with several server frames per WebSocket frame, newline-separated (docs/protocol.md). */
  static final String SUBPROTOCOL_BATCH = "chatcluster.v2";

  static Handshake read(ServerWebSocketHandshake hs, NodeConfig config) {
    MultiMap headers = hs.headers();
    Map<String, List<String>> query = new QueryStringDecoder(hs.uri()).parameters();
    String token = subprotocolToken(headers.get("Sec-WebSocket-Protocol"));
    if (token == null) {
      String authorization = headers.get("Authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = authorization.substring(7).trim();
      }
    }
    if (token == null && config.queryToken()) {
      token = first(query, "token");
    }
    return new Handshake(token, first(query, "user"), first(query, "device"), headers.get("Origin"),
        remoteAddress(hs, config), headers, hs.uri());
  }

  /**
   * {@code chatcluster.v1, <token>} or {@code chatcluster.v2, <token>}: the value beside ours. Without
   * ours, older clients send the bare token as their only subprotocol (and the server echoes it back).
   */
  static String subprotocolToken(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    List<String> offered = new ArrayList<>();
    for (String p : header.split(",")) {
      if (!p.isBlank()) {
        offered.add(p.trim());
      }
    }
    if (offered.contains(SUBPROTOCOL) || offered.contains(SUBPROTOCOL_BATCH)) {
      return offered.stream().filter(p -> !p.equals(SUBPROTOCOL) && !p.equals(SUBPROTOCOL_BATCH)).findFirst()
          .orElse(null);
    }
    return offered.isEmpty() ? null : offered.get(0);
  }

  /**
   * Whether the client asks for several frames per WebSocket frame in its URL ({@code ?batch=1}): the
   * way a client asks that may reach a node older than {@code chatcluster.v2}, which ignores it (and
   * which would take a second sub-protocol for the token).
   */
  boolean batchAsked() {
    if (!uri.contains("batch=")) {
      return false; // most upgrades: no second decode of the query
    }
    List<String> values = new QueryStringDecoder(uri).parameters().get("batch");
    return values != null && !values.isEmpty() && (values.get(0).equals("1") || values.get(0).equals("true"));
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }

  /**
   * An HTTP fallback session's first request, read as the upgrade it stands in for: its headers and
   * address, and {@code uri} as the WebSocket path the session's protocol would have used.
   */
  static Handshake of(io.vertx.core.http.HttpServerRequest request, String uri, NodeConfig config) {
    return new Handshake(null, null, null, request.headers().get("Origin"),
        remoteAddress(request.remoteAddress(), request.headers(), config), request.headers(), uri);
  }

  private static String remoteAddress(ServerWebSocketHandshake hs, NodeConfig config) {
    return remoteAddress(hs.remoteAddress(), hs.headers(), config);
  }

  /** The peer's address, or the last untrusted hop of X-Forwarded-For when the peer is a trusted proxy. */
  private static String remoteAddress(io.vertx.core.net.SocketAddress address, MultiMap headers, NodeConfig config) {
    String peer = address == null ? "unknown" : address.hostAddress();
    String forwarded = headers.get("X-Forwarded-For");
    if (forwarded == null || !trusted(config, peer)) {
      return peer;
    }
    List<String> hops = Arrays.stream(forwarded.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (int i = hops.size() - 1; i >= 0; i--) {
      if (!trusted(config, hops.get(i))) {
        return hops.get(i);
      }
    }
    return hops.isEmpty() ? peer : hops.get(0);
  }

  /** Whether an address is one of the trusted proxies (addresses or CIDRs, e.g. a pod network). */
  private static boolean trusted(NodeConfig config, String address) {
    for (String proxy : config.trustedProxies()) {
      if (Cidr.parse(proxy).contains(address)) {
        return true;
      }
    }
    return false;
  }

  boolean originAllowed(List<String> allowed) {
    if (allowed.isEmpty() || origin == null || allowed.contains("*")) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    return allowed.stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals(o));
  }
}
