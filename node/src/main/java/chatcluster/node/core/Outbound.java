package chatcluster.node.core;

import chatcluster.node.broker.Broker;
import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.broker.Direct;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * What the node sends out, in one vocabulary for both protocols, the relay, the scheduler and the
 * embedding API: publish, emit, broadcast, send to a user or device, device commands. Each frame is
 * encoded once, here or by the caller just before, and counted here
 * ({@code chatcluster_frames_encoded_total}, {@code chatcluster_messages_published_total}): no other
 * class counts them.
 *
 * <p>Threading: the node's instance is used on the node's context, each event loop has its own over the
 * loop-bound broker ({@link #with}); Futures complete on the caller's context.
 */
public final class Outbound {
  private final Broker broker;
  private final NodeMetrics metrics;

  public Outbound(Broker broker, NodeMetrics metrics) {
    this.broker = broker;
    this.metrics = metrics;
  }

  /** The same vocabulary over another broker (an event loop's bound one). */
  public Outbound with(Broker broker) {
    return new Outbound(broker, metrics);
  }

  /**
   * Publishes a native {@code message} on a channel, cluster-wide: encoded once here, offset and
   * history by the broker. Publishes made from one thread keep their order. The Future holds the
   * offset, or fails with {@code unavailable} when the message cannot be made durable and cluster-wide.
   */
  public Future<Long> publish(String channel, ChannelOptions options, Object data, Sender from) {
    return publishEncoded(channel, FrameCodec.messagePrefix(channel, data, from, System.currentTimeMillis()), options);
  }

  /**
   * Publishes a message another protocol encoded (its frame up to the offset the broker appends, see
   * {@link Broker#publish}); like {@link #publish} otherwise.
   */
  public Future<Long> publishEncoded(String channel, Buffer messagePrefix, ChannelOptions options) {
    metrics.framesEncoded.increment();
    metrics.messagesPublished.increment();
    return broker.publish(channel, messagePrefix, options);
  }

  /** Emits a frame just encoded to the channel's subscribers on every node: no offset, no history. */
  public Future<Void> emit(String channel, Buffer frame) {
    metrics.framesEncoded.increment();
    return broker.emit(channel, frame);
  }

  /**
   * {@link #publish} with a retry key (see {@link Broker#publishOnce}): a second publish with the same
   * key on the channel within {@code keyTtl} publishes nothing and answers the first one's offset.
   */
  public Future<Long> publishOnce(String channel, ChannelOptions options, Object data, Sender from, String key,
                                  java.time.Duration keyTtl) {
    return publishEncodedOnce(channel, FrameCodec.messagePrefix(channel, data, from, System.currentTimeMillis()),
        options, key, keyTtl);
  }

  /** {@link #publishEncoded} with a retry key. */
  public Future<Long> publishEncodedOnce(String channel, Buffer messagePrefix, ChannelOptions options, String key,
                                         java.time.Duration keyTtl) {
    metrics.framesEncoded.increment();
    return broker.publishOnce(channel, messagePrefix, options, key, keyTtl);
  }

  /** Emits a message (a Pusher event) that has no offset: counted as published. */
  public Future<Void> emitMessage(String channel, Buffer frame) {
    metrics.messagesPublished.increment();
    return emit(channel, frame);
  }

  /** Sends {@code data} to every connection of the cluster as a {@code broadcast} frame, encoded once. */
  public Future<Void> broadcast(Object data) {
    metrics.framesEncoded.increment();
    return broker.broadcast(FrameCodec.broadcast(data));
  }

  /** Sends a native {@code direct} frame to a user's or a device's connections; the Future holds how many. */
  public Future<Integer> sendDirect(String user, String device, Object data, Sender from) {
    return sendDirect(new Direct(user, device, FrameCodec.direct(data, from)));
  }

  /** Sends a direct frame just encoded (e.g. a scheduled task's result); the Future holds how many got it. */
  public Future<Integer> sendDirect(Direct direct) {
    metrics.framesEncoded.increment();
    return broker.sendDirect(direct);
  }

  /** A backend's subscribe or unsubscribe for a device's connections; the Future holds how many. */
  public Future<Integer> deviceCommand(DeviceCommand command) {
    return broker.sendDeviceCommand(command);
  }
}
