/**
 * Embedding API: {@link chatcluster.node.ChatNode} starts a node inside an application, with its
 * configuration ({@code config}), hooks ({@code hooks}), authenticator ({@code auth}), channel options
 * ({@code channel}), the contract's frames and codes ({@code protocol}) and metrics ({@code ops}).
 * Every other package is internal (its package documentation says so) and may change in any release.
 */
package chatcluster.node;
