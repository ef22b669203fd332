package chatcluster.node.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in each presence channel, one entry per subscribed connection (keyed by session id).
 *
 * <p><b>Atomic counts.</b> {@link #add} and {@link #remove} answer how many entries the member's user
 * and the whole channel have right after the change, counted in the same atomic step: of two
 * connections of one user joining (or leaving) at once on different nodes, exactly one finds itself
 * the user's first (or last). That is what lets every node decide a presence transition once,
 * cluster-wide (see {@code chatcluster.node.core.Presence}). The answer is two numbers, whatever the
 * channel's size.
 *
 * <p><b>Threading.</b> Any thread may call (every event loop of the node does); no call blocks the
 * caller. Every Future completes on the caller's context. Calls from one context take effect in the
 * order they were made.
 */
public interface PresenceStore {
  /**
   * What {@link #add} or {@link #remove} did.
   *
   * @param member      the member added, or removed (null when the session to remove was not there)
   * @param userEntries entries of the member's user in the channel right after (0 when member is null)
   * @param entries     entries of the channel right after
   */
  record Change(PresenceMember member, int userEntries, int entries) {}

  /** Enters {@code session} into the channel; entering it again replaces its member, one entry still. */
  Future<Change> add(String channel, String session, PresenceMember member);

  /** Takes {@code session} out of the channel (nothing to do when it is not there). */
  Future<Change> remove(String channel, String session);

  /** The channel's members in the order they joined (empty for a channel nobody is in). */
  Future<List<PresenceMember>> members(String channel);
}
