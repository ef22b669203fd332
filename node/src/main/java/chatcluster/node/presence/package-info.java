/**
 * Internal: The presence stores: who is in a channel, counted atomically, on Redis or in memory.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.presence;
