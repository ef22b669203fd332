package chatcluster.bench.side;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The counters of one measured step, shared by every connection of the generator: payloads received
 * (by subscribers and, where the protocol echoes a publish to its sender, by the publisher) and the
 * publish-to-delivery latency of those received while {@link #measuring}. Written from any event loop.
 */
public final class Tally {
  /** Payloads written by the server to any of the generator's connections. */
  public final LongAdder delivered = new LongAdder();
  /** Of those, the ones the publisher got back (ChatCluster delivers a publish to its sender too). */
  public final LongAdder echoes = new LongAdder();
  /** WebSocket messages (or the peer's equivalent) that carried payloads to subscribers: one joined message counts once. */
  public final LongAdder messages = new LongAdder();
  /** Latency in microseconds, 1 µs to 1 h, 3 significant digits. */
  public final Recorder latencyMicros = new Recorder(3_600_000_000L, 3);
  public volatile boolean measuring;

  void record(long sentNanos) {
    if (measuring) {
      long micros = Math.max(1, (System.nanoTime() - sentNanos) / 1000);
      latencyMicros.recordValue(Math.min(micros, 3_600_000_000L));
    }
  }
}
