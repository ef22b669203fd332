package chatcluster.node.history;

import chatcluster.node.channel.Delivery;
import java.util.List;

/**
 * Messages read from a channel's history.
 *
 * @param position where the stream stood when it was read
 * @param entries  the messages in offset order, each with its offset and encoded frame
 * @param complete true when {@code entries} starts right after the requested offset, so nothing in
 *                 between was trimmed or expired
 */
public record HistoryPage(StreamPosition position, List<Delivery> entries, boolean complete) {}
