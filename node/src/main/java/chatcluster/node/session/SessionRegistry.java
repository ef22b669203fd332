package chatcluster.node.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One event loop's sessions by id, user and device. Confined to that loop's context. */
public final class SessionRegistry {
  private final Map<String, ClientSession> byId = new LinkedHashMap<>();
  private final Index byUser = new Index();
  private final Index byDevice = new Index();

  void add(ClientSession session) {
    byId.put(session.id(), session);
  }

  /** Indexes a session under its (new) user and device; called when it authenticates. */
  void index(ClientSession session, String oldUser, String oldDevice) {
    byUser.remove(oldUser, session);
    byDevice.remove(oldDevice, session);
    byUser.add(session.user(), session);
    byDevice.add(session.device(), session);
  }

  void remove(ClientSession session) {
    byId.remove(session.id());
    byUser.remove(session.user(), session);
    byDevice.remove(session.device(), session);
  }

  public List<ClientSession> byUser(String user) {
    return byUser.get(user);
  }

  public List<ClientSession> byDevice(String device) {
    return byDevice.get(device);
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

  /**
   * Sessions by key, in the order they were added. Most keys have one session (every anonymous
   * connection is its own user and device), which is stored as it is: a set per key would cost
   * every idle connection a few hundred bytes of heap for nothing.
   */
  private static final class Index {
    /** A {@link ClientSession}, or a list of two or more. */
    private final Map<String, Object> byKey = new HashMap<>();

    void add(String key, ClientSession session) {
      Object present = byKey.putIfAbsent(key, session);
      if (present == null || present == session) {
        return;
      }
      if (present instanceof ClientSession one) {
        List<ClientSession> many = new ArrayList<>(2);
        many.add(one);
        many.add(session);
        byKey.put(key, many);
      } else {
        @SuppressWarnings("unchecked")
        List<ClientSession> many = (List<ClientSession>) present;
        if (!many.contains(session)) {
          many.add(session);
        }
      }
    }

    void remove(String key, ClientSession session) {
      if (key == null) {
        return;
      }
      Object present = byKey.get(key);
      if (present == session) {
        byKey.remove(key);
      } else if (present instanceof List<?> many && many.remove(session)) {
        if (many.size() == 1) {
          byKey.put(key, many.get(0));
        }
      }
    }

    List<ClientSession> get(String key) {
      Object present = byKey.get(key);
      if (present == null) {
        return List.of();
      }
      if (present instanceof ClientSession one) {
        return List.of(one);
      }
      @SuppressWarnings("unchecked")
      List<ClientSession> many = (List<ClientSession>) present;
      return List.copyOf(many);
    }
  }
}
