/**
 * Embedding API: Configuration: NodeConfig, its builder and every option (docs/configuration.md).
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.config;
