package chatcluster.node.history;

import chatcluster.node.channel.Delivery;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.Ids;
import chatcluster.node.protocol.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Channel streams in this node's memory: an offset and epoch per channel and, for persistent
 * channels, the last {@code historySize} messages, dropped {@code historyTtl} after the last publish.
 * Used from the node's event loop only.
 */
public final class LocalHistoryStore implements HistoryStore {
  /** A stream idle this long is forgotten (its next message starts a new epoch). */
  private static final long IDLE_STREAM_MILLIS = 3_600_000;

  private final Map<String, Stream> streams = new HashMap<>();
  private final LongSupplier clock;

  public LocalHistoryStore(LongSupplier clock) {
    this.clock = clock;
  }



  private static final class Stream {
    final String epoch = Ids.random(8);
    final ArrayDeque<Delivery> entries = new ArrayDeque<>();
    long offset;
    long expiresAt;
    long lastUsed;
  }

  /** Assigns the next offset, keeps the message when the channel is persistent, returns the delivery. */
  public Delivery append(String channel, Buffer messagePrefix, ChannelOptions options) {
    long now = clock.getAsLong();
    Stream stream = stream(channel, now);
    long offset = ++stream.offset;
    Delivery delivery = new Delivery(channel, offset, stream.epoch, FrameCodec.completeMessage(messagePrefix, offset));
    if (options.persistent()) {
      stream.entries.addLast(delivery);
      while (stream.entries.size() > options.historySize()) {
        stream.entries.removeFirst();
      }
      stream.expiresAt = now + options.historyTtl().toMillis();
    }
    return delivery;
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    Stream stream = stream(channel, clock.getAsLong());
    return Future.succeededFuture(new StreamPosition(stream.offset, stream.epoch));
  }

  @Override
  public Future<HistoryPage> read(String channel, Long sinceOffset, int limit, ChannelOptions options) {
    long now = clock.getAsLong();
    Stream stream = stream(channel, now);
    if (now >= stream.expiresAt) {
      stream.entries.clear();
    }
    StreamPosition position = new StreamPosition(stream.offset, stream.epoch);
    List<Delivery> frames = new ArrayList<>();
    boolean complete;
    if (sinceOffset == null) {
      int skip = Math.max(0, stream.entries.size() - limit);
      for (Delivery e : stream.entries) {
        if (skip-- <= 0) {
          frames.add(e);
        }
      }
      complete = true;
    } else {
      long first = stream.entries.isEmpty() ? stream.offset + 1 : stream.entries.peekFirst().offset();
      complete = sinceOffset <= stream.offset && first <= sinceOffset + 1;
      for (Delivery e : stream.entries) {
        if (e.offset() > sinceOffset && frames.size() < limit) {
          frames.add(e);
        }
      }
    }
    return Future.succeededFuture(new HistoryPage(position, frames, complete));
  }

  /** Forgets streams idle for an hour whose history has expired; called periodically. */
  public void sweep() {
    long now = clock.getAsLong();
    for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
      Stream s = it.next();
      if (now - s.lastUsed > IDLE_STREAM_MILLIS && now >= s.expiresAt) {
        it.remove();
      }
    }
  }

  private Stream stream(String channel, long now) {
    Stream stream = streams.computeIfAbsent(channel, c -> new Stream());
    stream.lastUsed = now;
    return stream;
  }
}
