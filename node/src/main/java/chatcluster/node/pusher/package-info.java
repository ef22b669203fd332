/**
 * Internal: The Pusher protocol adapter (protocol 7) and the Pusher HTTP API, over the session core.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.pusher;
