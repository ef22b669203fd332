package chatcluster.node.session;

import chatcluster.cluster.ClusterState;
import chatcluster.node.api.ApiProxy;
import chatcluster.node.api.TaskScheduler;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.broker.Broker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.hub.Hub;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.presence.PresenceStore;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.transport.ConnectionLimit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * What the node's code works with. The node's own instance holds the shared parts as they are (they
 * belong to the node's context); each event loop gets its own instance from {@link #forLoop}, whose
 * shared parts hop to the node's context and complete on the loop's, and whose {@code channels} and
 * {@code sessions} are the loop's. {@code api} and {@code tasks} are null without API_BASE_URL;
 * {@code channels} and {@code sessions} are null in the node's own instance.
 */
public record NodeServices(
    Vertx vertx,
    NodeConfig config,
    String nodeId,
    ChannelCatalog catalog,
    Hub hub,
    ConnectionLimit connections,
    LoopChannels channels,
    SessionRegistry sessions,
    Broker broker,
    HistoryStore history,
    PresenceStore presence,
    ClusterState cluster,
    Authenticator authenticator,
    NodeHooks hooks,
    NodeMetrics metrics,
    ApiProxy api,
    TaskScheduler tasks) {

  /**
   * The services as one event loop sees them. Calls from the loop to the node's parts run on
   * {@code nodeContext} in the order the loop made them, and complete on the loop's context.
   */
  public NodeServices forLoop(Context nodeContext, LoopChannels loopChannels, SessionRegistry loopSessions) {
    return new NodeServices(vertx, config, nodeId, catalog, hub, connections, loopChannels, loopSessions,
        Contexts.bind(Broker.class, broker, vertx, nodeContext),
        Contexts.bind(HistoryStore.class, history, vertx, nodeContext),
        Contexts.bind(PresenceStore.class, presence, vertx, nodeContext),
        Contexts.bind(ClusterState.class, cluster, vertx, nodeContext),
        authenticator, hooks, metrics, api, tasks);
  }

  /**
   * Publishes a {@code message} on a channel, cluster-wide: encoded once here, offset and history by
   * the broker. Publishes made from one thread keep their order. The Future holds the offset, or
   * fails with {@code unavailable} when the message cannot be made durable and cluster-wide.
   */
  public Future<Long> publish(String channel, ChannelOptions options, Object data, Sender from) {
    Buffer prefix = FrameCodec.messagePrefix(channel, data, from, System.currentTimeMillis());
    metrics.framesEncoded.increment();
    metrics.messagesPublished.increment();
    return broker.publish(channel, prefix, options);
  }

  /** Sends {@code data} to every connection of the cluster as a {@code broadcast} frame, encoded once. */
  public Future<Void> broadcast(Object data) {
    metrics.framesEncoded.increment();
    return broker.broadcast(FrameCodec.broadcast(data));
  }
}
