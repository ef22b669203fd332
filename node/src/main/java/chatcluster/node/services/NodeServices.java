package chatcluster.node.services;

import chatcluster.cluster.ClusterState;
import chatcluster.node.rest.RestRelay;
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
import chatcluster.node.inbox.InboxPositions;
import java.util.Optional;

/**
 * What the node's code works with, node-wide. The node's own instance holds the shared parts as they
 * are (they belong to the node's context); each event loop gets its {@link LoopServices} from
 * {@link #forLoop}, whose node parts hop to the node's context and complete on the loop's. No part is
 * null: a feature the configuration leaves out is an empty {@link Optional} ({@code rest} without
 * API_BASE_URL).
 */
public record NodeServices(
    Vertx vertx,
    NodeConfig config,
    String nodeId,
    ChannelCatalog catalog,
    Hub hub,
    ConnectionLimit connections,
    ClientAddresses addresses,
    Broker broker,
    Outbound outbound,
    PublishBudget publishBudget,
    HistoryStore history,
    Presence presence,
    ClusterState cluster,
    Authenticator authenticator,
    NodeHooks hooks,
    NodeMetrics metrics,
    Optional<RestRelay> rest,
    InboxPositions inboxPositions) {

  /**
   * The services as one event loop sees them. Calls from the loop to the node's parts run on
   * {@code nodeContext} in the order the loop made them, and complete on the loop's context.
   */
  public LoopServices forLoop(Context nodeContext, LoopChannels loopChannels, LoopRecipients loopSessions) {
    Broker loopBroker = Contexts.bind(Broker.class, broker, vertx, nodeContext);
    Outbound loopOutbound = outbound.with(loopBroker);
    NodeServices bound = new NodeServices(vertx, config, nodeId, catalog, hub, connections, addresses, loopBroker,
        loopOutbound, publishBudget, Contexts.bind(HistoryStore.class, history, vertx, nodeContext),
        presence.with(Contexts.bind(PresenceStore.class, presence.store(), vertx, nodeContext), loopOutbound),
        Contexts.bind(ClusterState.class, cluster, vertx, nodeContext), authenticator, hooks, metrics, rest,
        Contexts.bind(InboxPositions.class, inboxPositions, vertx, nodeContext));
    return new LoopServices(bound, loopChannels, loopSessions);
  }
}
