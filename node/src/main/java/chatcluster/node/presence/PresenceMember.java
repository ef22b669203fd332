package chatcluster.node.presence;

/** One connection present in a channel: its user, device and the node that holds it. */
public record PresenceMember(String user, String device, String node) {}
