package chatcluster.node.inbox;

/**
 * The names of the inboxes: internal channels that no client can name (client channel names have no
 * {@code /}), one per user ({@code inbox/u/{user}}: every device of the user reads it) and one per
 * device ({@code inbox/d/{device}}).
 */
public final class Inboxes {
  private Inboxes() {
  }

  /** The kind a frame names: "user" or "device". */
  public static final String USER = "user";
  public static final String DEVICE = "device";

  public static String ofUser(String user) {
    return "inbox/u/" + user;
  }

  public static String ofDevice(String device) {
    return "inbox/d/" + device;
  }

  /** The inbox of a kind for a connection of {@code user} and {@code device}. */
  public static String of(String kind, String user, String device) {
    return USER.equals(kind) ? ofUser(user) : ofDevice(device);
  }

  /** The cluster counter of the connections reading an inbox ({@code delivered} of a send). */
  public static String readers(String inbox) {
    return "inbox-readers:" + inbox;
  }
}
