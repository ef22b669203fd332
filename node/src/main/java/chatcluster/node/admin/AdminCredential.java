package chatcluster.node.admin;

import chatcluster.node.auth.AuthRequest;
import chatcluster.node.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the console: the holder of {@code admin.token} (compared in constant time, whatever
 * the length of what was presented), and with {@code admin.jwt} a credential the node's
 * {@link Authenticator} accepts whose claims say {@code "admin": true}. The Future holds who it is,
 * as logs name them ({@code admin-token}, or the JWT's user), or null for anyone else.
 */
public final class AdminCredential {
  private final byte[] digest;
  private final Authenticator jwt;

  /** @param jwt the node's authenticator when {@code admin.jwt} is on, else null */
  public AdminCredential(String token, Authenticator jwt) {
    this.digest = sha256(token.getBytes(StandardCharsets.UTF_8));
    this.jwt = jwt;
  }

  /** Hashed first, so that the comparison takes the same time whatever the length presented. */
  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bearer token of an {@code Authorization} header, or null. */
  public static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Who presented {@code token}, or null when it is not an admin credential. */
  public Future<String> check(String token, String address, MultiMap headers) {
    if (token == null) {
      return Future.succeededFuture(null);
    }
    if (MessageDigest.isEqual(digest, sha256(token.getBytes(StandardCharsets.UTF_8)))) {
      return Future.succeededFuture("admin-token");
    }
    if (jwt == null || token.chars().filter(c -> c == '.').count() != 2) {
      return Future.succeededFuture(null);
    }
    return jwt.authenticate(new AuthRequest("admin", token, null, null, address, headers))
        .map(p -> Boolean.TRUE.equals(p.claims().getValue("admin")) ? "jwt:" + p.user() : (String) null)
        .otherwise((String) null);
  }
}
