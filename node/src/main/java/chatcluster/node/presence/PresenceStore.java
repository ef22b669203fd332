package chatcluster.node.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in each presence channel, one entry per subscribed connection (keyed by session id).
 *
 * <p><b>Threading.</b> Any thread may call (every event loop of the node does); no call blocks the
 * caller. Every Future completes on the caller's context. Calls from one context take effect in the
 * order they were made.
 */
public interface PresenceStore {
  /** Enters {@code session} into the channel; entering it again replaces its member, one entry still. */
  Future<Void> add(String channel, String session, PresenceMember member);

  /** Takes {@code session} out of the channel; nothing to do when it is not there. */
  Future<Void> remove(String channel, String session);

  /** The channel's members in the order they joined (empty for a channel nobody is in). */
  Future<List<PresenceMember>> members(String channel);
}
