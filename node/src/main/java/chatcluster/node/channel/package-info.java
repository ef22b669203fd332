/**
 * Embedding API: Channel options and deliveries.
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.channel;
