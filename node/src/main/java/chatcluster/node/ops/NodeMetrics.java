package chatcluster.node.ops;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one node, read by tests, benchmarks and (later) the metrics endpoint. */
public final class NodeMetrics {
  /** Upgrades refused before the WebSocket was made (address not allowed, per-address caps). */
  public final LongAdder connectionsRefused = new LongAdder();
  /** Connections accepted since start. */
  public final LongAdder connectionsOpened = new LongAdder();
  /** Messages published on channels (by clients, the embedding API or backends). */
  public final LongAdder messagesPublished = new LongAdder();
  /** Fan-out frames encoded: one per message, event, join, leave, direct send or broadcast. */
  public final LongAdder framesEncoded = new LongAdder();
  /** Frames the node's hub handed to an event loop: one per message per loop holding subscribers of it. */
  public final LongAdder loopHandOvers = new LongAdder();
  /** Fan-out frames written to connections: one per receiving connection. */
  public final LongAdder framesDelivered = new LongAdder();
  /**
   * Socket flushes of fan-out writes: at most one per connection per hand-over task, so under load
   * well below {@link #framesDelivered} (several messages leave in one write).
   */
  public final LongAdder fanoutFlushes = new LongAdder();
  /** Frames dropped undecoded because their connection was over its rate limit. */
  public final LongAdder framesDropped = new LongAdder();
  /** Frames received from clients that could not be decoded. */
  public final LongAdder malformedFrames = new LongAdder();
  /** Pub/sub messages this node received from Redis (only channels it has subscribers for). */
  public final LongAdder redisMessagesIn = new LongAdder();
  /** Messages this node published to Redis (publishes, events, presence changes, routed sends). */
  public final LongAdder redisMessagesOut = new LongAdder();
  /** Messages this node read back from history to fill a gap after its subscriber connection was restored. */
  public final LongAdder redisGapFilled = new LongAdder();
  /** Subscriptions' catch-up reads asked (a subscribe's position, or what it missed since an offset). */
  public final LongAdder historyCatchUps = new LongAdder();
  /** Reads sent for them: catch-ups of one channel asked at once share one. */
  public final LongAdder historyCatchUpReads = new LongAdder();
  /** Live messages that arrived after a gap (an offset skipped): the gap was filled from history first. */
  public final LongAdder liveGaps = new LongAdder();
  /** Reset frames sent to a channel's subscribers because their position was lost. */
  public final LongAdder resets = new LongAdder();
  /** Publishes, events, broadcasts and routed sends answered {@code unavailable} because Redis was unreachable. */
  public final LongAdder publishesRefused = new LongAdder();
  /** Connections closed for being too slow to read what they were sent. */
  public final LongAdder slowConsumersClosed = new LongAdder();
  /** Connections dropped (TCP reset) because the peer did not complete the node's close in time. */
  public final LongAdder closesDropped = new LongAdder();
}
