package chatcluster.node.auth;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The default {@link Authenticator}: a static shared token, a JWT, or (when authentication is not
 * required) no credential at all.
 *
 * <p>A static token proves the client is trusted but names nobody: user and device come from the
 * client's hints or the session id, and it grants no private channel. A JWT names the user
 * ({@code sub}), the device ({@code device}) and the private channels ({@code channels}); a client
 * that asks to be another user or device than its JWT says is refused as forbidden.
 */
public final class TokenAuthenticator implements Authenticator {
  private final boolean required;
  private final byte[] staticToken;
  private final JWTAuth jwt;

  /**
   * @param required    whether a connection without a credential is refused
   * @param staticToken the shared token, or null
   * @param jwt         the JWT verifier, or null when no JWT key is configured
   */
  public TokenAuthenticator(boolean required, String staticToken, JWTAuth jwt) {
    this.required = required;
    this.staticToken = staticToken == null ? null : staticToken.getBytes(StandardCharsets.UTF_8);
    this.jwt = jwt;
  }

  @Override
  public Future<Principal> authenticate(AuthRequest request) {
    String user = request.user() != null ? request.user() : request.session();
    String device = request.device() != null ? request.device() : request.session();
    String token = request.token();
    if (token == null || token.isEmpty()) {
      return required
          ? Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "a token is required"))
          : Future.succeededFuture(Principal.anonymous(user, device));
    }
    if (staticToken != null
        && MessageDigest.isEqual(staticToken, token.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(Principal.authenticated(user, device, List.of()));
    }
    if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
      return jwt.authenticate(new TokenCredentials(token))
          .recover(e -> Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "invalid or expired token")))
          .compose(u -> fromClaims(u.principal(), request));
    }
    return Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "invalid token"));
  }

  private static Future<Principal> fromClaims(JsonObject claims, AuthRequest request) {
    String sub = claims.getValue("sub") instanceof String s ? s : null;
    String deviceClaim = claims.getValue("device") instanceof String s ? s : null;
    if (sub != null && request.user() != null && !sub.equals(request.user())) {
      return Future.failedFuture(ChatException.forbidden("token does not belong to user '" + request.user() + "'"));
    }
    if (deviceClaim != null && request.device() != null && !deviceClaim.equals(request.device())) {
      return Future.failedFuture(ChatException.forbidden("token does not belong to device '" + request.device() + "'"));
    }
    String user = sub != null ? sub : request.user() != null ? request.user() : request.session();
    String device = deviceClaim != null ? deviceClaim : request.device() != null ? request.device() : request.session();
    List<String> channels = new ArrayList<>();
    if (claims.getValue("channels") instanceof JsonArray array) {
      for (Object c : array) {
        if (c instanceof String s) {
          channels.add(s);
        }
      }
    }
    return Future.succeededFuture(new Principal(user, device, false, channels, claims));
  }
}
