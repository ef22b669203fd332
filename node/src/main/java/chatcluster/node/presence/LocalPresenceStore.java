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
  public synchronized Future<Change> add(String channel, String session, PresenceMember member) {
    Map<String, PresenceMember> members = channels.computeIfAbsent(channel, c -> new LinkedHashMap<>());
    members.put(session, member);
    return Future.succeededFuture(new Change(member, entriesOf(members, member.user()), members.size()));
  }

  @Override
  public synchronized Future<Change> remove(String channel, String session) {
    Map<String, PresenceMember> members = channels.get(channel);
    PresenceMember removed = members == null ? null : members.remove(session);
    if (removed == null) {
      return Future.succeededFuture(new Change(null, 0, members == null ? 0 : members.size()));
    }
    int left = members.size();
    int mine = entriesOf(members, removed.user());
    if (members.isEmpty()) {
      channels.remove(channel);
    }
    return Future.succeededFuture(new Change(removed, mine, left));
  }

  private static int entriesOf(Map<String, PresenceMember> members, String user) {
    int n = 0;
    for (PresenceMember m : members.values()) {
      if (m.user().equals(user)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized Future<List<PresenceMember>> members(String channel) {
    Map<String, PresenceMember> members = channels.get(channel);
    return Future.succeededFuture(members == null ? List.of() : List.copyOf(members.values()));
  }
}
