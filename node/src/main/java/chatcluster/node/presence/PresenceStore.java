package chatcluster.node.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in each presence channel, one entry per subscribed connection (keyed by session id).
 *
 * <p><b>Atomic reads.</b> {@link #add} and {@link #remove} answer the channel's members as they are
 * right after the change, read in the same atomic step: of two connections of one user joining (or
 * leaving) at once on different nodes, exactly one finds itself the user's first (or last). That is
 * what lets every node decide a presence transition once, cluster-wide (see
 * {@code chatcluster.node.core.Presence}).
 *
 * <p><b>Threading.</b> Any thread may call (every event loop of the node does); no call blocks the
 * caller. Every Future completes on the caller's context. Calls from one context take effect in the
 * order they were made.
 */
public interface PresenceStore {
  /** What {@link #remove} did: the member it took out (null when the session was not there) and who is left. */
  record Removal(PresenceMember removed, List<PresenceMember> remaining) {}

  /**
   * Enters {@code session} into the channel; entering it again replaces its member, one entry still.
   * Answers the channel's members right after, in join order.
   */
  Future<List<PresenceMember>> add(String channel, String session, PresenceMember member);

  /** Takes {@code session} out of the channel (nothing to do when it is not there); answers what it did. */
  Future<Removal> remove(String channel, String session);

  /** The channel's members in the order they joined (empty for a channel nobody is in). */
  Future<List<PresenceMember>> members(String channel);
}
