package chatcluster.node.history;

/**
 * Where a channel's stream stands: the offset of its latest message (0 before the first) and the
 * epoch, which changes whenever the stream's history was lost, so offsets of an old epoch mean nothing.
 */
public record StreamPosition(long offset, String epoch) {}
