package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import chatcluster.node.core.Presence;
import chatcluster.node.presence.PresenceMember;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The Pusher protocol's rendering of presence on its presence channels ({@code pusher/{app}/presence-…}):
 * a user's first connection in the channel gives {@code pusher_internal:member_added} (to everyone
 * but that connection) and the {@code member_added} webhook, its last one {@code member_removed} and
 * its webhook, whether the connection closed, unsubscribed or its node died. Occupancy entries
 * ({@code pusher-occ/…}, one per node holding a channel) are the adapter's own: only a dead node's
 * leaving one is rendered here (a live node's leave goes through {@link PusherNode}), as the
 * {@code channel_vacated} webhook when no other node holds the channel. Online sets
 * ({@code pusher-online/…}, one entry per signed-in connection of a user) are rendered as the
 * watchlist's {@code online} and {@code offline} events to the user's watchers.
 *
 * <p>Threading: stateless; called on whatever context announces.
 */
final class PusherPresence implements Presence.Rendering {
  private final PusherNode node;

  PusherPresence(PusherNode node) {
    this.node = node;
  }

  @Override
  public boolean owns(String channel) {
    return channel.startsWith("pusher/") || channel.startsWith("pusher-occ/") || channel.startsWith("pusher-online/");
  }

  @Override
  public Presence.Announcement joined(String channel, String session, PresenceMember member, boolean firstOfUser) {
    if (channel.startsWith("pusher-online/")) {
      return firstOfUser ? watchlist(member.user(), true) : null;
    }
    Target t = firstOfUser ? target(channel) : null;
    if (t == null) {
      return null;
    }
    return new Presence.Announcement(PusherFrames.excluding(session,
        PusherFrames.memberAdded(t.name, member.user(), PusherService.userInfo(member))),
        () -> node.webhook(t.app, new JsonObject().put("name", "member_added").put("channel", t.name)
            .put("user_id", member.user())));
  }

  @Override
  public Presence.Announcement left(String channel, String session, PresenceMember member, boolean lastOfUser,
                                    boolean lastOfAll) {
    if (channel.startsWith("pusher-occ/")) {
      return lastOfAll ? vacated(channel) : null;
    }
    if (channel.startsWith("pusher-online/")) {
      return lastOfUser ? watchlist(member.user(), false) : null;
    }
    Target t = lastOfUser ? target(channel) : null;
    if (t == null) {
      return null;
    }
    return new Presence.Announcement(PusherFrames.memberRemoved(t.name, member.user()),
        () -> node.webhook(t.app, new JsonObject().put("name", "member_removed").put("channel", t.name)
            .put("user_id", member.user())));
  }

  /**
   * A user's first signed-in connection (online) or last (offline, also when its node died): one
   * frame on the user's online channel, which every connection watching the user receives.
   */
  private static Presence.Announcement watchlist(String user, boolean online) {
    List<String> ids = List.of(user);
    return new Presence.Announcement(online ? PusherFrames.watchlistEvents(ids, List.of())
        : PusherFrames.watchlistEvents(List.of(), ids), null);
  }

  /** A dead node held a channel nobody else holds: {@code channel_vacated}, once (the removal was atomic). */
  private Presence.Announcement vacated(String occupancy) {
    String rest = occupancy.substring("pusher-occ/".length());
    int slash = rest.indexOf('/');
    PusherApp app = slash < 0 ? null : node.appById(rest.substring(0, slash));
    if (app == null) {
      return null;
    }
    String name = rest.substring(slash + 1);
    return new Presence.Announcement(null,
        () -> node.webhook(app, new JsonObject().put("name", "channel_vacated").put("channel", name)));
  }

  private record Target(PusherApp app, String name) {}

  /** The app and Pusher channel name of an internal presence channel name, or null. */
  private Target target(String internal) {
    if (!internal.startsWith("pusher/")) {
      return null;
    }
    int slash = internal.indexOf('/', "pusher/".length());
    PusherApp app = slash < 0 ? null : node.appById(internal.substring("pusher/".length(), slash));
    String name = app == null ? null : PusherChannel.nameOf(app.id(), internal);
    PusherChannel channel = name == null ? null : PusherChannel.parse(name);
    return channel == null || channel.kind() != PusherChannel.Kind.PRESENCE ? null : new Target(app, name);
  }
}
