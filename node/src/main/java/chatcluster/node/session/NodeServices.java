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
import io.vertx.core.Vertx;

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
    TaskScheduler tasks) {}
