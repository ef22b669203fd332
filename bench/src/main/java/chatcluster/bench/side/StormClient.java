package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client of the reconnect storm: a {@link Subscriber} on one channel that remembers where it is
 * in the channel's stream (ChatCluster: the offset of the last message and the epoch of its
 * subscription; Socket.IO: the session id and the offset of the last packet) and, once the storm
 * is on, reconnects on its own when its connection ends, as a real client's first retry does: after a
 * random 0–200 ms, to one of the surviving entry points, asking to resume from there. It counts as back
 * when the server said the resumption was exact and every missed message has arrived.
 *
 * <p>Everything but the volatile results runs on the client's own event loop ({@link #context()}); the
 * target's protocol code calls {@link #onMessage}, {@link #subscribed} and {@link #closed} there.
 */
public final class StormClient {
  /** How long a failed reconnect waits before the next try (a refused or dropped connect). */
  static final int RETRY_MILLIS = 250;
  private final int id;
  private final Subscriber sub;
  private final String channel;
  private final Context ctx;
  private volatile Storm storm;
  /** ChatCluster: the subscription's epoch; Socket.IO: the session's private id. Null before the first. */
  String session;
  /** ChatCluster: the last offset received, as text; Socket.IO: the last packet's offset. */
  String position;
  /** ChatCluster: the last offset received (-1 before any). */
  long offset = -1;
  /** The channel offset the recovered messages end at; -1 when nothing is awaited. */
  private long awaited = -1;
  private WebSocketBase socket;
  private volatile long jitterMillis = -1;
  private volatile long closedNanos;
  private volatile long ackNanos;
  private volatile long attemptNanos;
  private volatile long welcomeNanos;
  private volatile long backNanos;
  private volatile boolean notRecovered;
  private volatile int attempts;
  private volatile int resets;

  /** What a client of the storm needs to reconnect: where to, until when, through which target. */
  interface Storm {
    /** Reconnects {@code c} to entry point {@code process}; failures are reported to {@link #retry}. */
    void connect(StormClient c, int process);

    /** The entry points that survive; a client's n-th try goes to the (id + n)-th of them. */
    List<Integer> survivors();

    /** Whether reconnecting still makes sense (the scenario is not over). */
    boolean active();
  }

  StormClient(int id, int channelIndex, String channel, Tally tally, Context ctx) {
    this.id = id;
    this.sub = new Subscriber(channelIndex, tally);
    this.channel = channel;
    this.ctx = ctx;
  }

  public int id() {
    return id;
  }

  public Subscriber subscriber() {
    return sub;
  }

  public String channel() {
    return channel;
  }

  public Context context() {
    return ctx;
  }

  /** From now on, a connection that ends is followed by a reconnect through {@code storm}. */
  void arm(Storm s) {
    this.storm = s;
  }

  void socket(WebSocketBase ws) {
    this.socket = ws;
    sub.socket(ws);
  }

  /**
   * A payload frame; {@code channelOffset} is its offset in the channel's stream where the protocol
   * numbers them (ChatCluster), else -1.
   */
  void onMessage(Buffer frame, int at, long channelOffset) {
    sub.onPayload(frame, at);
    if (channelOffset >= 0) {
      offset = channelOffset;
      position = Long.toString(channelOffset);
      if (awaited >= 0 && channelOffset >= awaited) {
        awaited = -1;
        back();
      }
    }
  }

  /**
   * The server answered a subscribe (or a reconnect): {@code recovered} whether it said the gap is
   * filled exactly; {@code endsAt} the channel offset the missed messages end at (-1 when they came
   * before the answer, as Socket.IO sends them).
   */
  void subscribed(boolean recovered, long endsAt) {
    if (storm == null || closedNanos == 0) {
      return; // the first subscribe
    }
    ackNanos = System.nanoTime();
    if (!recovered) {
      notRecovered = true;
    } else if (endsAt >= 0 && endsAt > offset) {
      awaited = endsAt;
    } else {
      back();
    }
  }

  /** The server greeted a connection (ChatCluster's welcome, Engine.IO's open): the handshake is done. */
  void welcomed() {
    if (storm != null && closedNanos != 0) {
      welcomeNanos = System.nanoTime();
    }
  }

  /** The channel's position was lost and the stream goes on from {@code newOffset} (ChatCluster's reset). */
  void reset(long newOffset) {
    resets++;
    offset = newOffset;
    position = Long.toString(newOffset);
  }

  private void back() {
    if (backNanos == 0 && !notRecovered) {
      backNanos = System.nanoTime();
    }
  }

  /** The connection ended: once armed, reconnect after 0–200 ms (the first time) or after a retry pause. */
  void closed() {
    if (storm == null || !storm.active()) {
      return;
    }
    long delay;
    if (closedNanos == 0) {
      closedNanos = System.nanoTime();
      jitterMillis = ThreadLocalRandom.current().nextInt(201);
      delay = jitterMillis;
    } else {
      delay = RETRY_MILLIS;
    }
    ctx.owner().setTimer(Math.max(1, delay), t -> reconnect());
  }

  /** A reconnect attempt failed before it was subscribed: try the next survivor after a pause. */
  void retry() {
    if (storm != null && storm.active()) {
      ctx.owner().setTimer(RETRY_MILLIS, t -> reconnect());
    }
  }

  private void reconnect() {
    if (!storm.active()) {
      return;
    }
    List<Integer> to = storm.survivors();
    int n = attempts++;
    attemptNanos = System.nanoTime();
    storm.connect(this, to.get((id + n) % to.size()));
  }

  /** Nanos of the kill-to-back interval's end, 0 when not back. */
  long backNanos() {
    return backNanos;
  }

  long closedNanos() {
    return closedNanos;
  }

  long ackNanos() {
    return ackNanos;
  }

  /** When the last reconnect attempt started. */
  long attemptNanos() {
    return attemptNanos;
  }

  /** When the last reconnect's handshake was done. */
  long welcomeNanos() {
    return welcomeNanos;
  }

  long jitterMillis() {
    return jitterMillis;
  }

  boolean notRecovered() {
    return notRecovered;
  }

  int attempts() {
    return attempts;
  }

  int resets() {
    return resets;
  }

  void close() {
    if (socket != null) {
      socket.close();
    }
  }
}
