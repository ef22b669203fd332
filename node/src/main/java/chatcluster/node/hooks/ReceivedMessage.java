package chatcluster.node.hooks;

/** A message a client publishes, before it reaches anyone. {@code data} is any JSON value. */
public record ReceivedMessage(ConnectionInfo connection, String channel, Object data) {}
