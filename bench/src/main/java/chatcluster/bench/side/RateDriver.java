package chatcluster.bench.side;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives one publisher on its own event loop: at a fixed rate (publishes due since the start, checked
 * every millisecond, so a late tick catches up), or with {@code rate == 0} as fast as a window
 * allows (saturation): at most {@code window} publishes not yet acknowledged and not yet delivered
 * to every subscriber (counted in deliveries: a server that acknowledges before it fans out cannot
 * pile up an unbounded backlog in its send queues). Channels are used round-robin; each gets its own
 * sequence numbers. Counters are readable from any thread.
 */
final class RateDriver {
  private final Publisher publisher;
  private final Generator gen;
  private final List<String> channels;
  private final int publisherId;
  private final double rate;
  private final int window;
  private final int size;
  private final long[] perChannel;
  private final Tally tally;
  private final int fanout;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong acked = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private volatile boolean stopped;
  private long startNanos;
  private long timer = -1;
  private int inFlight;

  RateDriver(Generator gen, Publisher publisher, List<String> channels, int publisherId, double rate, int window,
      int size, Tally tally, int fanout) {
    this.tally = tally;
    this.fanout = Math.max(1, fanout);
    this.gen = gen;
    this.publisher = publisher;
    this.channels = channels;
    this.publisherId = publisherId;
    this.rate = rate;
    this.window = window;
    this.size = size;
    this.perChannel = new long[channels.size()];
  }

  void start() {
    publisher.context().runOnContext(v -> {
      startNanos = System.nanoTime();
      deliveredBefore = tally.delivered.sum() - tally.echoes.sum();
      timer = gen.vertx().setPeriodic(1, id -> tick());
      tick();
    });
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long due = rate > 0 ? (long) ((System.nanoTime() - startNanos) * rate / 1e9) : Long.MAX_VALUE;
    while (sent.get() < due && inFlight < window && !stopped && undelivered() < window) {
      sendOne();
    }
  }

  /** Publishes not yet delivered to every subscriber (saturation mode only). */
  private long undelivered() {
    if (rate > 0) {
      return 0;
    }
    return sent.get() - (tally.delivered.sum() - tally.echoes.sum() - deliveredBefore) / fanout;
  }

  private long deliveredBefore;

  private void sendOne() {
    int c = (int) (sent.get() % channels.size());
    long seq = perChannel[c]++;
    inFlight++;
    sent.incrementAndGet();
    publisher.publish(channels.get(c), Payload.make(publisherId, seq, size), ok -> {
      inFlight--;
      (ok ? acked : failed).incrementAndGet();
      if (rate == 0) {
        tick();
      }
    });
  }

  /** Stops publishing and returns how many publishes each channel got (waits at most 10 s). */
  long[] stop() {
    stopped = true;
    io.vertx.core.Promise<long[]> copy = io.vertx.core.Promise.promise();
    publisher.context().runOnContext(v -> {
      if (timer >= 0) {
        gen.vertx().cancelTimer(timer);
      }
      copy.complete(perChannel.clone());
    });
    return Generator.await(copy.future(), 10);
  }

  /** Whether every publish sent got its answer, waiting at most {@code seconds}. */
  boolean awaitAnswers(int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (acked.get() + failed.get() >= sent.get()) {
        return true;
      }
      ServerProcess.sleep(20);
    }
    return false;
  }
}
