/**
 * Internal: WebSocket connections: the endpoint, frames, writes and backpressure, TLS.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.transport;
