/**
 * Internal: The node jar's command line: flags, --help, the token subcommand.
 *
 * <p>Not part of the embedding API (docs/embedding.md): public only for the node's other packages,
 * and may change in any release.
 */
package chatcluster.node.cli;
