package chatcluster.node.broker;

/** A backend's order to subscribe or unsubscribe every connection of a device to or from a channel. */
public record DeviceCommand(String device, boolean subscribe, String channel) {}
