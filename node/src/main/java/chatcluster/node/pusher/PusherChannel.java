package chatcluster.node.pusher;

import chatcluster.node.channel.ChannelName;
import java.util.regex.Pattern;

/**
 * A Pusher channel name and what its prefix makes it, and the internal names it maps to.
 *
 * <p>Internal names (what the hub, the broker and the presence store see) contain {@code /}, which no
 * native channel name may, so neither another app nor a native client can reach them by name:
 * <ul>
 *   <li>{@code pusher/{app}/{name}}: the channel's Pusher frames;</li>
 *   <li>{@code pusher-occ/{app}/{name}}: which nodes hold subscribers (channel_occupied / vacated);</li>
 *   <li>{@code pusher-user/{app}/{user}}: control frames for a signed-in user's connections
 *       (terminate_connections).</li>
 * </ul>
 * A public channel also has a native twin, {@code pusher.{app}.{name}} (see {@link #nativeTwin}).
 */
public record PusherChannel(String name, Kind kind, boolean cache) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,200}");
  public static final String USER_CHANNEL_PREFIX = "#server-to-user-";

  public enum Kind { PUBLIC, PRIVATE, ENCRYPTED, PRESENCE, USER }

  /** The channel for {@code name}, or null when the name is not a valid Pusher channel name. */
  public static PusherChannel parse(String name) {
    if (name == null) {
      return null;
    }
    if (name.startsWith(USER_CHANNEL_PREFIX) && name.length() > USER_CHANNEL_PREFIX.length() && name.length() <= 200) {
      return new PusherChannel(name, Kind.USER, false);
    }
    if (!NAME.matcher(name).matches()) {
      return null;
    }
    Kind kind;
    String rest;
    if (name.startsWith("private-encrypted-")) {
      kind = Kind.ENCRYPTED;
      rest = name.substring("private-encrypted-".length());
    } else if (name.startsWith("private-")) {
      kind = Kind.PRIVATE;
      rest = name.substring("private-".length());
    } else if (name.startsWith("presence-")) {
      kind = Kind.PRESENCE;
      rest = name.substring("presence-".length());
    } else {
      kind = Kind.PUBLIC;
      rest = name;
    }
    return new PusherChannel(name, kind, rest.startsWith("cache-"));
  }

  /** Whether subscribing needs the app's signature. */
  public boolean needsAuth() {
    return kind == Kind.PRIVATE || kind == Kind.ENCRYPTED || kind == Kind.PRESENCE;
  }

  /** Whether clients may send client events on it (private and presence, not encrypted). */
  public boolean allowsClientEvents() {
    return kind == Kind.PRIVATE || kind == Kind.PRESENCE;
  }

  /** The signed-in user a {@code #server-to-user-} channel belongs to. */
  public String userOfUserChannel() {
    return kind == Kind.USER ? name.substring(USER_CHANNEL_PREFIX.length()) : null;
  }

  public static String internal(String appId, String name) {
    return "pusher/" + appId + "/" + name;
  }

  public String internal(String appId) {
    return internal(appId, name);
  }

  public static String occupancy(String appId, String name) {
    return "pusher-occ/" + appId + "/" + name;
  }

  public static String userControl(String appId, String user) {
    return "pusher-user/" + appId + "/" + user;
  }

  /**
   * A signed-in user's online set: one entry per connection signed in as the user (in the presence
   * store), and the internal channel on which the user's watchers hear it come online and go offline.
   */
  public static String online(String appId, String user) {
    return "pusher-online/" + appId + "/" + user;
  }

  /** The cluster counter of the channel's subscriptions (subscription_count). */
  public static String subscriptionCounter(String appId, String name) {
    return "pusher-subs/" + appId + "/" + name;
  }

  /** The Pusher channel name of an internal name of app {@code appId}, or null when it is not one. */
  public static String nameOf(String appId, String internal) {
    String prefix = "pusher/" + appId + "/";
    return internal.startsWith(prefix) ? internal.substring(prefix.length()) : null;
  }

  /**
   * The native channel that mirrors this one: {@code pusher.{app}.{name}}, for public channels whose
   * name is also a valid native name; null otherwise (private and presence channels have Pusher's
   * authorization, which native clients do not speak, so they have no twin).
   */
  public String nativeTwin(String appId) {
    if (kind != Kind.PUBLIC) {
      return null;
    }
    String twin = "pusher." + appId + "." + name;
    return ChannelName.isValid(twin) ? twin : null;
  }

  /** The Pusher channel of a native twin name, or null. */
  public static String[] fromNativeTwin(String nativeName) {
    if (!nativeName.startsWith("pusher.")) {
      return null;
    }
    int dot = nativeName.indexOf('.', "pusher.".length());
    if (dot < 0 || dot == nativeName.length() - 1) {
      return null;
    }
    return new String[] {nativeName.substring("pusher.".length(), dot), nativeName.substring(dot + 1)};
  }
}
