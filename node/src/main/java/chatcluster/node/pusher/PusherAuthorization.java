package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

  /** Most user ids a sign-in's watchlist may hold, as Pusher allows; the ids beyond are dropped (4302). */
  static final int MAX_WATCHLIST = 100;

  /**
   * A sign-in's verdict: the user id, the signed user data and the first {@link #MAX_WATCHLIST}
   * distinct ids of its {@code watchlist} (with whether there were more), or the refusal's message.
   */
  record SignIn(String user, String userData, List<String> watchlist, boolean watchlistCut, String error) {
    static SignIn refuse(String error) {
      return new SignIn(null, null, List.of(), false, error);
    }
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
      return SignIn.refuse("Invalid signature for pusher:signin");
    }
    JsonObject user = object(userData);
    Object id = user == null ? null : user.getValue("id");
    if (!(id instanceof String) && !(id instanceof Number)) {
      return SignIn.refuse("user_data must have an id");
    }
    Object raw = user.getValue("watchlist");
    if (raw != null && !(raw instanceof JsonArray)) {
      return SignIn.refuse("user_data's watchlist must be an array of user ids");
    }
    Set<String> watchlist = new LinkedHashSet<>();
    boolean cut = false;
    for (Object w : raw == null ? new JsonArray() : (JsonArray) raw) {
      if (!(w instanceof String) && !(w instanceof Number)) {
        return SignIn.refuse("user_data's watchlist must be an array of user ids");
      }
      if (watchlist.size() < MAX_WATCHLIST) {
        watchlist.add(String.valueOf(w));
      } else if (!watchlist.contains(String.valueOf(w))) {
        cut = true;
      }
    }
    return new SignIn(String.valueOf(id), userData, List.copyOf(watchlist), cut, null);
  }

  private static JsonObject object(String json) {
    try {
      return json == null ? null : new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
