package chatcluster.node.core;

import chatcluster.node.presence.PresenceMember;
import chatcluster.node.presence.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence membership for both protocols, decided once: who joins and who leaves a presence channel,
 * and whether that is a user's first connection in the channel or its last, on any node. The
 * protocols only render the transitions ({@link Rendering}): the native protocol announces every
 * connection's join and leave, the Pusher protocol a user's first join ({@code member_added}) and last
 * leave ({@code member_removed}).
 *
 * <p><b>Once, cluster-wide.</b> The store adds (or removes) an entry and counts the user's entries in
 * one atomic step, so of two connections of one user joining at once on two nodes exactly one is the
 * first, and of two leaving exactly one is the last. A node that dies leaves the same way: the node
 * that cleans up after it (one per dead node, see {@code RedisNodeRegistry}) calls {@link #leave} for
 * each of its entries, so a dead node's members leave once, unless the same user is still connected
 * elsewhere; a member who reconnected on another node before the cleanup joins and leaves nobody's
 * list, one who reconnects after it gives one leave and one join.
 *
 * <p>Threading: a node-level instance is used on the node's context (the cleanup), each event loop has
 * its own with loop-bound store and broker; Futures complete on the caller's context.
 */
public final class Presence {
  private static final Logger log = LoggerFactory.getLogger(Presence.class);

  /** How one protocol shows presence transitions on the channels it owns. */
  public interface Rendering {
    /** Whether {@code channel} (an internal channel name) is this protocol's. */
    boolean owns(String channel);

    /**
     * What to announce when {@code member} (connection {@code session}) joined; null for nothing.
     *
     * @param firstOfUser the member's user had no other connection in the channel
     */
    Announcement joined(String channel, String session, PresenceMember member, boolean firstOfUser);

    /**
     * What to announce when {@code member} left (its connection closed, unsubscribed or its node died);
     * null for nothing.
     *
     * @param lastOfUser the member's user has no other connection left in the channel
     * @param lastOfAll  nobody is left in the channel
     */
    Announcement left(String channel, String session, PresenceMember member, boolean lastOfUser, boolean lastOfAll);
  }

  /**
   * A frame to emit on the channel and what to do once it was handed to the broker (a webhook).
   *
   * @param frame what the channel's subscribers get; null for nothing (then {@code sent} runs at once)
   * @param sent  run once the frame was emitted; may be null
   */
  public record Announcement(Buffer frame, Runnable sent) {}

  private final PresenceStore store;
  private final Outbound outbound;
  private final Renderings renderings;

  /** The renderings of the node's protocols; the native one answers for every channel no other owns. */
  public static final class Renderings {
    private final Rendering fallback;
    private final java.util.List<Rendering> others = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Renderings(Rendering fallback) {
      this.fallback = fallback;
    }

    /** Adds a protocol's rendering; done while the node is wired, before it takes connections. */
    public void add(Rendering rendering) {
      others.add(rendering);
    }

    Rendering of(String channel) {
      for (Rendering r : others) {
        if (r.owns(channel)) {
          return r;
        }
      }
      return fallback;
    }
  }

  public Presence(PresenceStore store, Outbound outbound, Renderings renderings) {
    this.store = store;
    this.outbound = outbound;
    this.renderings = renderings;
  }

  /** The same membership over another store and outbound path (an event loop's bound ones). */
  public Presence with(PresenceStore store, Outbound outbound) {
    return new Presence(store, outbound, renderings);
  }

  /** The store itself, for entries that are not members (e.g. Pusher's channel occupancy). */
  public PresenceStore store() {
    return store;
  }

  /**
   * Enters a connection and announces the join as the channel's protocol renders it. The Future
   * completes once the announcement was handed to the broker; it fails when either step failed.
   */
  public Future<Void> join(String channel, String session, PresenceMember member) {
    return store.add(channel, session, member).compose(change ->
        announce(channel, renderings.of(channel).joined(channel, session, member, change.userEntries() == 1)));
  }

  /**
   * Takes a connection out and announces the leave as the channel's protocol renders it; nothing is
   * announced when the connection was not there (already taken out, e.g. by a cleanup).
   */
  public Future<Void> leave(String channel, String session) {
    return store.remove(channel, session).compose(change -> change.member() == null ? Future.succeededFuture()
        : announce(channel, renderings.of(channel).left(channel, session, change.member(), change.userEntries() == 0,
            change.entries() == 0)));
  }

  /** The channel's members in join order. */
  public Future<List<PresenceMember>> members(String channel) {
    return store.members(channel);
  }

  private Future<Void> announce(String channel, Announcement a) {
    if (a == null) {
      return Future.succeededFuture();
    }
    Future<Void> emitted = a.frame() == null ? Future.succeededFuture() : outbound.emit(channel, a.frame());
    if (a.sent() != null) {
      emitted = emitted.onSuccess(v -> a.sent().run());
    }
    return emitted.onFailure(e -> log.debug("presence change on {} not announced: {}", channel, e.toString()));
  }
}
