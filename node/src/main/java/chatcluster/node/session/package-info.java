/**
 * Internal: The native protocol adapter over the session core: sign-in, commands, subscriptions with positions.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.session;
