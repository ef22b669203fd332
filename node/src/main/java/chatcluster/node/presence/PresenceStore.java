package chatcluster.node.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in each presence channel, one entry per subscribed connection (keyed by session id).
 * Called on the node's event loop; never blocks it.
 */
public interface PresenceStore {
  Future<Void> add(String channel, String session, PresenceMember member);

  Future<Void> remove(String channel, String session);

  /** The channel's members in the order they joined. */
  Future<List<PresenceMember>> members(String channel);
}
