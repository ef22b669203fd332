/**
 * Internal: messages to people, the inbox of each user and device. An inbox is a persistent channel
 * of the node's hub and broker ({@code inbox/u/{user}}, {@code inbox/d/{device}}), which gives it
 * offsets, order on every node, history and recovery; this package holds where each device is in it
 * (what it acknowledged) and the inboxes' names.
 */
package chatcluster.node.inbox;
