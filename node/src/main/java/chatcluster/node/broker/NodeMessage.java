package chatcluster.node.broker;

import io.vertx.core.buffer.Buffer;

/**
 * What one node sends the others through the broker's pub/sub, each kind on its own pub/sub channel:
 * a channel's frame on the channel's, a frame for everyone on the broadcast channel, and routed frames,
 * device orders, queries and their answers on the receiving node's own channel. {@link NodeMessageCodec} is its one wire form.
 * Frames inside are client frames, already encoded: receiving nodes write them as they are.
 */
public sealed interface NodeMessage {
  /** The node that sent it. */
  String origin();

  /**
   * A frame for a channel's subscribers: a message with its offset and epoch, or (offset
   * {@link chatcluster.node.channel.Delivery#NO_OFFSET}, no epoch) an event, join or leave.
   */
  record ChannelFrame(String origin, long offset, String epoch, Buffer frame) implements NodeMessage {}

  /** A frame for every connection of every node. */
  record Everyone(String origin, Buffer frame) implements NodeMessage {}

  /** A direct frame for this node's connections of a user. */
  record ToUser(String origin, String user, Buffer frame) implements NodeMessage {}

  /** A direct frame for this node's connections of a device. */
  record ToDevice(String origin, String device, Buffer frame) implements NodeMessage {}

  /** A backend's order to subscribe or unsubscribe this node's connections of a device. */
  record DeviceOrder(String origin, String device, boolean subscribe, String channel) implements NodeMessage {}

  /** A question for this node alone (the operations console's), to be answered to its origin under {@code id}. */
  record Query(String origin, String id, Buffer body) implements NodeMessage {}

  /** This node's answer to the {@link Query} it sent under {@code id}. */
  record Answer(String origin, String id, Buffer body) implements NodeMessage {}
}
