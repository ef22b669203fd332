package chatcluster.bench.side;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.Arrays;

/**
 * One subscribed connection of the generator: counts, per publisher, the distinct in-order payloads it
 * got and how many came again or out of order. Its frames arrive on its own event loop; the step's
 * result is read from the main thread after the step, hence the lock (never contended).
 */
public final class Subscriber {
  private final int channel;
  private final long[] fields = new long[3];
  private long[] last = new long[0];
  private long[] distinct = new long[0];
  private long duplicated;
  private volatile Tally tally;
  private WebSocketBase socket;
  /** The message the last payload came in: a payload in another one starts a new message. */
  private Buffer lastMessage;

  public Subscriber(int channel, Tally tally) {
    this.channel = channel;
    this.tally = tally;
  }

  /** The index of the channel this connection subscribed to. */
  public int channel() {
    return channel;
  }

  public void tally(Tally t) {
    this.tally = t;
  }

  public void socket(WebSocketBase ws) {
    this.socket = ws;
  }

  public WebSocketBase socket() {
    return socket;
  }

  /** Handles a frame holding a payload whose marker is at {@code at}. */
  public synchronized void onPayload(Buffer frame, int at) {
    Payload.parse(frame, at, fields);
    int pub = (int) fields[0];
    long seq = fields[1];
    if (pub >= last.length) {
      int n = Math.max(pub + 1, last.length * 2);
      int old = last.length;
      last = Arrays.copyOf(last, n);
      distinct = Arrays.copyOf(distinct, n);
      Arrays.fill(last, old, n, -1);
    }
    if (seq > last[pub]) {
      last[pub] = seq;
      distinct[pub]++;
    } else {
      duplicated++;
    }
    Tally t = tally;
    if (frame != lastMessage) {
      lastMessage = frame;
      t.messages.increment();
    }
    t.delivered.increment();
    t.record(fields[2]);
  }

  /** Distinct in-order payloads of publisher {@code pub} received so far. */
  public synchronized long distinct(int pub) {
    return pub < distinct.length ? distinct[pub] : 0;
  }

  /** Payloads that came again or behind a later one, over every publisher. */
  public synchronized long duplicated() {
    return duplicated;
  }

  public void close() {
    if (socket != null) {
      socket.close();
    }
  }
}
