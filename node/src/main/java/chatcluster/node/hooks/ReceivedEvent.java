package chatcluster.node.hooks;

/** A custom {@code event} a client sent; {@code channel} is null for events without one. */
public record ReceivedEvent(ConnectionInfo connection, String name, String channel, Object data) {}
