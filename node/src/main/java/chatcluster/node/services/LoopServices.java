package chatcluster.node.services;

import chatcluster.node.hub.LoopChannels;
import chatcluster.node.hub.LoopRecipients;

/**
 * What one event loop's connections work with: the node's services as the loop reaches them (bound
 * to the node's context, completing on the loop's), and the loop's own ends of the fan-out.
 *
 * @param node     the node's services, loop-bound
 * @param channels the loop's channel subscribers
 * @param sessions the loop's connections by id, user and device
 */
public record LoopServices(NodeServices node, LoopChannels channels, LoopRecipients sessions) {}
