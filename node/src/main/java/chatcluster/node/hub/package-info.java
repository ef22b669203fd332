/**
 * Internal: The fan-out: one broker subscription per channel per node, the same bytes to every subscriber of every loop.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.hub;
