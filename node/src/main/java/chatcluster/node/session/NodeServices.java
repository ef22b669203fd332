package chatcluster.node.session;

import chatcluster.cluster.ClusterState;
import chatcluster.node.api.ApiProxy;
import chatcluster.node.api.TaskScheduler;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.broker.Broker;
import chatcluster.node.channel.ChannelCatalog;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.hooks.NodeHooks;
import chatcluster.node.hub.Hub;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.hub.LoopRecipients;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.core.Outbound;
import chatcluster.node.core.PublishBudget;
import chatcluster.node.core.Presence;
import chatcluster.node.presence.PresenceStore;
import chatcluster.node.runtime.Contexts;
import chatcluster.node.transport.ClientAddresses;
import chatcluster.node.transport.ConnectionLimit;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

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
    ClientAddresses addresses,
    LoopChannels channels,
    LoopRecipients sessions,
    Broker broker,
    Outbound outbound,
    PublishBudget publishBudget,
    HistoryStore history,
    Presence presence,
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
  public NodeServices forLoop(Context nodeContext, LoopChannels loopChannels, LoopRecipients loopSessions) {
    return new NodeServices(vertx, config, nodeId, catalog, hub, connections, addresses, loopChannels, loopSessions,
        loopBroker(nodeContext),
        outbound.with(loopBroker(nodeContext)),
        publishBudget,
        Contexts.bind(HistoryStore.class, history, vertx, nodeContext),
        presence.with(Contexts.bind(PresenceStore.class, presence.store(), vertx, nodeContext),
            outbound.with(loopBroker(nodeContext))),
        Contexts.bind(ClusterState.class, cluster, vertx, nodeContext),
        authenticator, hooks, metrics, api, tasks);
  }

  private Broker loopBroker(Context nodeContext) {
    return Contexts.bind(Broker.class, broker, vertx, nodeContext);
  }
}
