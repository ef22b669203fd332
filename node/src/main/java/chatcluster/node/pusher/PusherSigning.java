package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher's signatures, all HMAC-SHA256 in lower-case hex with the app's secret:
 * <ul>
 *   <li>channel authorization: {@code key:hmac(socket_id:channel)}, for presence
 *       {@code key:hmac(socket_id:channel:channel_data)};</li>
 *   <li>user sign-in: {@code key:hmac(socket_id::user::user_data)};</li>
 *   <li>HTTP API requests: {@code auth_signature = hmac(METHOD\npath\nsorted query)}, the query's
 *       parameters (without {@code auth_signature}) sorted by name, {@code name=value} joined by
 *       {@code &}, values as sent (decoded), with {@code body_md5} the MD5 hex of the body;</li>
 *   <li>webhooks: {@code X-Pusher-Signature = hmac(body)}.</li>
 * </ul>
 * Comparisons take constant time. Stateless; any thread. A signature over a few hundred bytes costs
 * microseconds, so it runs where it is needed, on the event loop.
 */
public final class PusherSigning {
  private PusherSigning() {}

  public static String hmacHex(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public static String md5Hex(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 unavailable", e);
    }
  }

  /** Whether {@code auth} ({@code key:signature}) authorizes {@code socketId} on {@code channel}. */
  public static boolean channelAuthValid(PusherApp app, String socketId, String channel, String channelData,
                                         String auth) {
    String signed = socketId + ":" + channel + (channelData == null ? "" : ":" + channelData);
    return keyedSignatureValid(app, auth, signed);
  }

  /** Whether {@code auth} signs {@code userData} for {@code socketId} ({@code pusher:signin}). */
  public static boolean userAuthValid(PusherApp app, String socketId, String userData, String auth) {
    return keyedSignatureValid(app, auth, socketId + "::user::" + userData);
  }

  /** What a server SDK sends as {@code auth} for a channel: for tests and for signing in one place. */
  public static String channelAuth(PusherApp app, String socketId, String channel, String channelData) {
    return app.key() + ":" + hmacHex(app.secret(), socketId + ":" + channel
        + (channelData == null ? "" : ":" + channelData));
  }

  private static boolean keyedSignatureValid(PusherApp app, String auth, String signed) {
    if (auth == null) {
      return false;
    }
    int colon = auth.indexOf(':');
    if (colon < 0 || !auth.substring(0, colon).equals(app.key())) {
      return false;
    }
    return equal(auth.substring(colon + 1), hmacHex(app.secret(), signed));
  }

  /**
   * The string an API request's signature covers.
   *
   * @param params the query parameters, decoded, without {@code auth_signature}
   */
  public static String requestStringToSign(String method, String path, Map<String, String> params) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      if (query.length() > 0) {
        query.append('&');
      }
      query.append(e.getKey()).append('=').append(e.getValue());
    }
    return method.toUpperCase(java.util.Locale.ROOT) + "\n" + path + "\n" + query;
  }

  public static boolean requestSignatureValid(PusherApp app, String method, String path, Map<String, String> params,
                                              String signature) {
    return signature != null && equal(signature, hmacHex(app.secret(), requestStringToSign(method, path, params)));
  }

  public static String webhookSignature(PusherApp app, String body) {
    return hmacHex(app.secret(), body);
  }

  private static boolean equal(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
