/**
 * Internal: The node's side of the cluster: the node registry on Redis, dead-node detection, cluster state.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.cluster;
