package chatcluster.node.auth;

import chatcluster.node.config.Security;
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
 * <p>Identities come only from credentials. A JWT names the user ({@code sub}), the device
 * ({@code device}) and the private channels ({@code channels}); it must expire ({@code exp}) unless
 * configured otherwise. What a credential does not name is the session id: an anonymous connection, a
 * static-token connection (the token proves trust, not identity) and a JWT without a {@code device}
 * claim get the session id as user and/or device, whatever {@code ?user=} / {@code ?device=} ask. Only
 * the development switch {@code auth.claimedIdentity} lets those hints through. A client that asks
 * to be another user or device than its JWT says is refused as forbidden.
 */
public final class TokenAuthenticator implements Authenticator {
  private final boolean required;
  private final byte[] staticToken;
  private final JWTAuth jwt;
  private final boolean claimedIdentity;
  private final boolean allowNoExp;

  /**
   * @param required    whether a connection without a credential is refused
   * @param staticToken the shared token, or null
   * @param jwt         the JWT verifier, or null when no JWT key is configured
   * @param security    the identity switches (claimed identities, tokens without exp)
   */
  public TokenAuthenticator(boolean required, String staticToken, JWTAuth jwt, Security security) {
    this.required = required;
    this.staticToken = staticToken == null ? null : staticToken.getBytes(StandardCharsets.UTF_8);
    this.jwt = jwt;
    this.claimedIdentity = security.claimedIdentity();
    this.allowNoExp = security.jwtAllowNoExp();
  }

  /** A hint the client gave, honoured only in development mode; otherwise the session id. */
  private String claimed(String hint, String session) {
    return claimedIdentity && hint != null ? hint : session;
  }

  @Override
  public Future<Principal> authenticate(AuthRequest request) {
    String user = claimed(request.user(), request.session());
    String device = claimed(request.device(), request.session());
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
          .compose(u -> fromClaims(u.principal(), hasExpiry(u), request));
    }
    return Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "invalid token"));
  }

  /** Vert.x keeps {@code exp} among the user's attributes (and the token's payload), not its principal. */
  private static boolean hasExpiry(io.vertx.ext.auth.User user) {
    JsonObject attributes = user.attributes();
    JsonObject payload = attributes.getValue("accessToken") instanceof JsonObject p ? p : new JsonObject();
    return attributes.getValue("exp") instanceof Number || payload.getValue("exp") instanceof Number
        || user.principal().getValue("exp") instanceof Number;
  }

  private Future<Principal> fromClaims(JsonObject claims, boolean expires, AuthRequest request) {
    if (!allowNoExp && !expires) {
      return Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "token has no exp claim"));
    }
    String sub = claims.getValue("sub") instanceof String s ? s : null;
    String deviceClaim = claims.getValue("device") instanceof String s ? s : null;
    if (sub != null && request.user() != null && !sub.equals(request.user())) {
      return Future.failedFuture(ChatException.forbidden("token does not belong to user '" + request.user() + "'"));
    }
    if (deviceClaim != null && request.device() != null && !deviceClaim.equals(request.device())) {
      return Future.failedFuture(ChatException.forbidden("token does not belong to device '" + request.device() + "'"));
    }
    String user = sub != null ? sub : claimed(request.user(), request.session());
    String device = deviceClaim != null ? deviceClaim : claimed(request.device(), request.session());
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
