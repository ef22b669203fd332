/**
 * Internal: The REST relay: client-requested calls to the backend API (ApiProxy), once or on a schedule (TaskScheduler).
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.rest;
