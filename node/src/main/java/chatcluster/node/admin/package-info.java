/**
 * Internal: The operations console: the admin API under /admin/api (whole-cluster answers from any
 * node, through questions to each node over the broker), its credential check, and the web console
 * under /admin.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.admin;
