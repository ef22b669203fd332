package chatcluster.node.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One event loop's connections by id, user and device: the targets of broadcasts, direct sends and
 * device commands on this loop (see {@link LoopFanout}). Confined to that loop's context.
 */
public final class LoopRecipients {
  private final Map<String, Recipient> byId = new LinkedHashMap<>();
  private final Index byUser = new Index();
  private final Index byDevice = new Index();

  public void add(Recipient session) {
    byId.put(session.id(), session);
  }

  /** Indexes a session under its (new) user and device; called when it authenticates. */
  public void index(Recipient session, String oldUser, String oldDevice) {
    byUser.remove(oldUser, session);
    byDevice.remove(oldDevice, session);
    byUser.add(session.user(), session);
    byDevice.add(session.device(), session);
  }

  public void remove(Recipient session) {
    byId.remove(session.id());
    byUser.remove(session.user(), session);
    byDevice.remove(session.device(), session);
  }

  public List<Recipient> byUser(String user) {
    return byUser.get(user);
  }

  public List<Recipient> byDevice(String device) {
    return byDevice.get(device);
  }

  /** A snapshot of every connection, for iteration that may close some of them. */
  public List<Recipient> all() {
    return List.copyOf(byId.values());
  }

  public Collection<Recipient> view() {
    return byId.values();
  }

  public int size() {
    return byId.size();
  }

  /**
   * Connections by key, in the order they were added. Most keys have one session (every anonymous
   * connection is its own user and device), which is stored as it is: a set per key would cost
   * every idle connection a few hundred bytes of heap for nothing.
   */
  private static final class Index {
    /** A {@link Recipient}, or a list of two or more. */
    private final Map<String, Object> byKey = new HashMap<>();

    void add(String key, Recipient session) {
      Object present = byKey.putIfAbsent(key, session);
      if (present == null || present == session) {
        return;
      }
      if (present instanceof Recipient one) {
        List<Recipient> many = new ArrayList<>(2);
        many.add(one);
        many.add(session);
        byKey.put(key, many);
      } else {
        @SuppressWarnings("unchecked")
        List<Recipient> many = (List<Recipient>) present;
        if (!many.contains(session)) {
          many.add(session);
        }
      }
    }

    void remove(String key, Recipient session) {
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

    List<Recipient> get(String key) {
      Object present = byKey.get(key);
      if (present == null) {
        return List.of();
      }
      if (present instanceof Recipient one) {
        return List.of(one);
      }
      @SuppressWarnings("unchecked")
      List<Recipient> many = (List<Recipient>) present;
      return List.copyOf(many);
    }
  }
}
