/**
 * Embedding API: The wire contract's frames, error codes and close codes.
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.protocol;
