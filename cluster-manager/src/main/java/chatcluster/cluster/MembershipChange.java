package chatcluster.cluster;

/** A node joined or left the cluster (left includes crashed, once failure detection notices). */
public record MembershipChange(Kind kind, String nodeId) {
  public enum Kind { JOINED, LEFT }
}
