package chatcluster.node.history;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Messages read from a channel's history.
 *
 * @param position where the stream stood when it was read
 * @param frames   encoded {@code message} frames in offset order
 * @param complete true when {@code frames} starts right after the requested offset, so nothing in
 *                 between was trimmed or expired
 */
public record HistoryPage(StreamPosition position, List<Buffer> frames, boolean complete) {}
