package chatcluster.node.session;

import chatcluster.cluster.ClusterState;
import chatcluster.node.api.ApiProxy;
import chatcluster.node.api.TaskScheduler;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.broker.Broker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.channel.ChannelRegistry;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.presence.PresenceStore;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * What a session works with: the node's configuration and its shared parts, all on the node's
 * context. {@code api} and {@code tasks} are null when no API_BASE_URL is configured.
 */
public record NodeServices(
    Vertx vertx,
    NodeConfig config,
    String nodeId,
    ChannelCatalog catalog,
    ChannelRegistry channels,
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
   * Publishes a {@code message} on a channel, cluster-wide: encoded once here, offset and history by
   * the broker. The Future holds the offset (null when the broker could not be reached).
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
