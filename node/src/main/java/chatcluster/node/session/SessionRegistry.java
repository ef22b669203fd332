package chatcluster.node.session;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One event loop's sessions by id, user and device. Confined to that loop's context. */
public final class SessionRegistry {
  private final Map<String, ClientSession> byId = new LinkedHashMap<>();
  private final Map<String, Set<ClientSession>> byUser = new HashMap<>();
  private final Map<String, Set<ClientSession>> byDevice = new HashMap<>();

  void add(ClientSession session) {
    byId.put(session.id(), session);
  }

  /** Indexes a session under its (new) user and device; called when it authenticates. */
  void index(ClientSession session, String oldUser, String oldDevice) {
    unindex(byUser, oldUser, session);
    unindex(byDevice, oldDevice, session);
    byUser.computeIfAbsent(session.user(), u -> new LinkedHashSet<>()).add(session);
    byDevice.computeIfAbsent(session.device(), d -> new LinkedHashSet<>()).add(session);
  }

  void remove(ClientSession session) {
    byId.remove(session.id());
    unindex(byUser, session.user(), session);
    unindex(byDevice, session.device(), session);
  }

  private static void unindex(Map<String, Set<ClientSession>> index, String key, ClientSession session) {
    if (key == null) {
      return;
    }
    Set<ClientSession> set = index.get(key);
    if (set != null && set.remove(session) && set.isEmpty()) {
      index.remove(key);
    }
  }

  public List<ClientSession> byUser(String user) {
    return List.copyOf(byUser.getOrDefault(user, Set.of()));
  }

  public List<ClientSession> byDevice(String device) {
    return List.copyOf(byDevice.getOrDefault(device, Set.of()));
  }

  /** A snapshot of every connection, for iteration that may close some of them. */
  public List<ClientSession> all() {
    return List.copyOf(byId.values());
  }

  public Collection<ClientSession> view() {
    return byId.values();
  }

  public int size() {
    return byId.size();
  }
}
