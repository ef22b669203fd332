/**
 * Internal: Channel history and stream positions (offsets and epochs), on Redis or in memory.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.history;
