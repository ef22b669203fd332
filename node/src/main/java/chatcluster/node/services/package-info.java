/**
 * Internal: The node-level and loop-level service sets, wired once per node and per event loop.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.services;
