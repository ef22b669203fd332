/**
 * Internal: The session core both protocols share (admission, intake, subscriptions, presence membership) and the outbound vocabulary.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.core;
