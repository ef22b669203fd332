package chatcluster.node.pusher;

import chatcluster.node.channel.Delivery;
import chatcluster.node.core.ChannelSubscription;
import chatcluster.node.transport.Connection;
import io.vertx.core.buffer.Buffer;

/**
 * A Pusher connection's subscription: its channel and, on presence channels, the member's user id.
 * A live one writes the channel's events as its socket gets them: the same bytes every subscriber on
 * the loop gets, or a slice of them for events sent with an exclusion (see {@link PusherFrames}).
 */
final class PusherSubscription extends ChannelSubscription {
  final PusherChannel channel;
  final String userId;
  private final String socketId;

  PusherSubscription(PusherChannel channel, String userId, String socketId) {
    super(channel.name());
    this.channel = channel;
    this.userId = userId;
    this.socketId = socketId;
  }

  /** The event as this socket gets it: without the exclusion prefix, or nothing when it sent it. */
  @Override
  protected void write(Connection connection, Delivery delivery) {
    Buffer frame = PusherFrames.forSocket(delivery.frame(), socketId);
    if (frame != null) {
      // The hub's whole frame only when this socket gets the delivery as it is (no exclusion prefix).
      connection.writeShared(frame, frame == delivery.frame() ? delivery.wire() : null);
    }
  }
}
