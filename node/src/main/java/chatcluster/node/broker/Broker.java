package chatcluster.node.broker;

import chatcluster.node.channel.Delivery;

import chatcluster.node.channel.ChannelOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.function.Function;

/**
 * Moves frames between the nodes of the cluster, this node included.
 *
 * <p><b>Delivery</b> is at most once per node: a frame published while a node is unreachable is not
 * replayed by the broker; persistent channels let clients recover it by offset instead.
 * {@link #publish} assigns the offset, appends to the channel's history when it is persistent, and
 * fans out in one atomic step, so history and live delivery never disagree on order.
 *
 * <p><b>Order.</b> What is ordered:
 * <ul>
 *   <li>one channel: every node receives its messages in offset order, the publishing node too;</li>
 *   <li>one caller: publishes, emits and reads made from one thread take effect in the order they
 *       were made (a read after a publish sees it), so one connection's, one relay connection's or
 *       one embedding thread's messages get increasing offsets in call order;</li>
 *   <li>one channel's frames outside the stream ({@link #emit}) keep their order relative to the
 *       channel's messages from the same caller.</li>
 * </ul>
 * What is not: messages of different channels, broadcasts relative to channel messages, and direct
 * frames relative to either carry no order between each other; two callers' publishes interleave in
 * the order the broker received them.
 *
 * <p><b>Threading.</b> A broker belongs to the node's context: it is started and called there (event
 * loops reach it through a context-bound view, see {@code NodeServices.forLoop}), its Futures complete
 * on the caller's context and its handlers run on the node's context. It never blocks.
 */
public interface Broker {

  /** Registers where deliveries for this node's connections go. Called once, before any traffic. */
  void onDelivery(Handler<Delivery> handler);

  /** Starts the broker (connections, timers); the local broker has nothing to start. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /**
   * Publishes a {@code message} frame: {@code messagePrefix} is the frame up to its offset (see
   * {@code FrameCodec.messagePrefix}); the broker completes it with the offset it assigns.
   *
   * @return the assigned offset; fails with {@code unavailable} when the message cannot be made
   *     durable and cluster-wide (the broker is unreachable): then nobody received it
   */
  Future<Long> publish(String channel, Buffer messagePrefix, ChannelOptions options);

  /**
   * {@link #publish} with a retry key, atomically with the publish itself: when a publish with the
   * same {@code key} on the channel went through within {@code keyTtl}, nothing is published and its
   * offset is answered. So a client that retries after losing the answer (its node died) leaves one
   * message, whichever node it retries on.
   */
  Future<Long> publishOnce(String channel, Buffer messagePrefix, ChannelOptions options, String key,
                           java.time.Duration keyTtl);

  /**
   * Sends a frame outside the channel's stream (event, join, leave) to the channel's subscribers;
   * fails with {@code unavailable} when the broker is unreachable.
   */
  Future<Void> emit(String channel, Buffer frame);

  /** Sends a frame to every connection of every node. */
  Future<Void> broadcast(Buffer frame);

  /**
   * Starts this node's interest in a channel: after the Future completes, the channel's traffic
   * reaches this node. Called once per channel per node, when its first local subscriber arrives.
   */
  Future<Void> subscribe(String channel);

  /** Ends this node's interest in a channel, when its last local subscriber leaves. */
  Future<Void> unsubscribe(String channel);

  /** Registers how a direct frame reaches this node's connections; the handler's Future holds how many it reached. */
  void onDirect(Function<Direct, Future<Integer>> handler);

  /**
   * Delivers a direct frame to every connection of its user or device, on whatever node holds
   * them, routed to those nodes only (not broadcast). The Future holds the number of connections
   * reached (this node's exactly, other nodes' as last registered).
   */
  Future<Integer> sendDirect(Direct direct);

  /** Registers how a device command is carried out on this node; the handler's Future holds how many connections it reached. */
  void onDeviceCommand(Function<DeviceCommand, Future<Integer>> handler);

  /**
   * Carries out a device command on every node that holds a connection of the device, routed to
   * those nodes only. The Future holds the number of connections reached.
   */
  Future<Integer> sendDeviceCommand(DeviceCommand command);

  /**
   * Registers how this node answers a question another node (or this one) asks with
   * {@link #askNode}; the handler runs on the node's context and its Future holds the answer.
   */
  void onQuery(Function<Buffer, Future<Buffer>> handler);

  /**
   * Asks one node a question, routed to that node only (this node's own handler answers its own
   * questions without a round trip; a node alone answers every question itself). Nothing is ordered
   * with it. The Future holds the answer, or fails with {@code timeout} when none came within
   * {@code timeout} (the node is gone or too busy) and {@code unavailable} when the broker cannot
   * reach the other nodes.
   */
  Future<Buffer> askNode(String nodeId, Buffer question, java.time.Duration timeout);

  /** Registers that this node holds a connection of {@code user} and {@code device}, for routing. */
  Future<Void> connectionOpened(String user, String device);

  /** Undoes {@link #connectionOpened}. */
  Future<Void> connectionClosed(String user, String device);

  /**
   * The channels that have subscribers anywhere in the cluster, each with the number of nodes that
   * hold subscribers of it; empty when the broker cannot tell (alone: the node's registry knows).
   */
  default Future<java.util.Map<String, Long>> activeChannels() {
    return Future.succeededFuture(java.util.Map.of());
  }

  /** Whether the broker can currently reach the other nodes (always true alone). */
  default boolean healthy() {
    return true;
  }

  Future<Void> close();
}
