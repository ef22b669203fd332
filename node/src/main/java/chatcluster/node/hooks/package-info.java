/**
 * Embedding API: Hooks for embedders: connection.open, message.received, events and their payloads.
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.hooks;
