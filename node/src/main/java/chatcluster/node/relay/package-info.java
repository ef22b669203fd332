/**
 * Internal: The backend relay: the HTTP API under /api and the Unix socket endpoint.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.relay;
