package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * What a Pusher client's signed requests grant, checked against the app's secret: a subscription to
 * a private, presence or user channel ({@code auth}, {@code channel_data}) and a sign-in
 * ({@code user_data}). Identities come only from what the app's auth endpoint signed.
 */
final class PusherAuthorization {
  private PusherAuthorization() {
  }

  /**
   * A subscribe's verdict: granted (with the presence member's user id and info on presence
   * channels), or refused with Pusher's status, error type and message.
   */
  record Subscription(boolean granted, String presenceUser, Object userInfo, int status, String type, String error) {
    static Subscription grant(String presenceUser, Object userInfo) {
      return new Subscription(true, presenceUser, userInfo, 0, null, null);
    }

    static Subscription refuse(int status, String type, String error) {
      return new Subscription(false, null, null, status, type, error);
    }
  }

  /** A sign-in's verdict: the user id and the signed user data, or the refusal's message. */
  record SignIn(String user, String userData, String error) {
  }

  /** Checks a {@code pusher:subscribe} to {@code channel} by a connection signed in as {@code user} (or null). */
  static Subscription subscribe(PusherApp app, String socketId, String user, PusherChannel channel, JsonObject data) {
    String name = channel.name();
    if (channel.kind() == PusherChannel.Kind.USER) {
      return channel.userOfUserChannel().equals(user) ? Subscription.grant(null, null)
          : Subscription.refuse(403, "AuthError", "Sign in as this user first");
    }
    if (!channel.needsAuth()) {
      return Subscription.grant(null, null);
    }
    boolean presence = channel.kind() == PusherChannel.Kind.PRESENCE;
    String channelData = presence ? data.getString("channel_data") : null;
    Object auth = data.getValue("auth");
    if (!(auth instanceof String a) || !PusherSigning.channelAuthValid(app, socketId, name, channelData, a)) {
      return Subscription.refuse(401, "AuthError", "Invalid signature for channel " + name);
    }
    if (!presence) {
      return Subscription.grant(null, null);
    }
    JsonObject cd = object(channelData);
    Object id = cd == null ? null : cd.getValue("user_id");
    if (!(id instanceof String) && !(id instanceof Number)) {
      return Subscription.refuse(400, "AuthError", "channel_data must have a user_id");
    }
    return Subscription.grant(String.valueOf(id), cd.getValue("user_info"));
  }

  /** Checks a {@code pusher:signin}. */
  static SignIn signin(PusherApp app, String socketId, JsonObject data) {
    String auth = data == null ? null : data.getString("auth");
    String userData = data == null ? null : data.getString("user_data");
    if (userData == null || !PusherSigning.userAuthValid(app, socketId, userData, auth)) {
      return new SignIn(null, null, "Invalid signature for pusher:signin");
    }
    JsonObject user = object(userData);
    Object id = user == null ? null : user.getValue("id");
    if (!(id instanceof String) && !(id instanceof Number)) {
      return new SignIn(null, null, "user_data must have an id");
    }
    return new SignIn(String.valueOf(id), userData, null);
  }

  private static JsonObject object(String json) {
    try {
      return json == null ? null : new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
