/**
 * Embedding API: The node's metrics and health.
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.ops;
