/**
 * Internal: Redis connections, keys and Lua scripts.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.redis;
