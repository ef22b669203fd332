package chatcluster.node.protocol;

/** The {@code from} of a delivered frame: who published it. */
public record Sender(String user, String device) {
  /** Messages the node or a backend publishes on its own carry this sender. */
  public static final Sender SERVER = new Sender("server", "server");
}
