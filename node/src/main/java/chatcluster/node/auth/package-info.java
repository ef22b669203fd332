/**
 * Embedding API: Authentication: the pluggable Authenticator, principals and the built-in token and JWT authenticators.
 *
 * <p>Part of what {@link chatcluster.node.ChatNode} takes and gives (docs/embedding.md).
 */
package chatcluster.node.auth;
