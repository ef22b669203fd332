/**
 * Internal: Carrying messages between nodes: the Redis broker (pub/sub, offsets, routes) and the embedded one.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.broker;
