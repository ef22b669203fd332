package chatcluster.node.presence;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presence in this node's memory. Any thread may call (the node's event loops share it): each call is
 * one short step under the store's lock, and its Future is complete when returned, so callbacks run at
 * once on the caller's context.
 */
public final class LocalPresenceStore implements PresenceStore {
  private final Map<String, Map<String, PresenceMember>> channels = new HashMap<>();

  @Override
  public synchronized Future<List<PresenceMember>> add(String channel, String session, PresenceMember member) {
    Map<String, PresenceMember> members = channels.computeIfAbsent(channel, c -> new LinkedHashMap<>());
    members.put(session, member);
    return Future.succeededFuture(List.copyOf(members.values()));
  }

  @Override
  public synchronized Future<Removal> remove(String channel, String session) {
    Map<String, PresenceMember> members = channels.get(channel);
    if (members == null) {
      return Future.succeededFuture(new Removal(null, List.of()));
    }
    PresenceMember removed = members.remove(session);
    if (members.isEmpty()) {
      channels.remove(channel);
    }
    return Future.succeededFuture(new Removal(removed, List.copyOf(members.values())));
  }

  @Override
  public synchronized Future<List<PresenceMember>> members(String channel) {
    Map<String, PresenceMember> members = channels.get(channel);
    return Future.succeededFuture(members == null ? List.of() : List.copyOf(members.values()));
  }
}
