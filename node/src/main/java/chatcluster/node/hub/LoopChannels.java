package chatcluster.node.hub;

import chatcluster.node.channel.Delivery;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One event loop's side of the fan-out: which of its connections subscribe to which channel, and the
 * writes of a channel's frames to them, the same bytes to each. Every subscriber is counted in the
 * node's {@link Hub}, which keeps the one broker subscription per channel per node.
 *
 * <p>Threading: confined to its loop's context, no locks.
 */
public final class LoopChannels {
  /** Receives the frames of the channels it is added to. */
  public interface Subscriber {
    void deliver(Delivery delivery);
  }

  private final Hub hub;
  private final int loop;
  private final Map<String, Entry> channels = new HashMap<>();

  private static final class Entry {
    final Set<Subscriber> subscribers = new LinkedHashSet<>();
    /** The subscribers as an array for fan-out, rebuilt only when membership changes. */
    Subscriber[] snapshot;

    Subscriber[] snapshot() {
      if (snapshot == null) {
        snapshot = subscribers.toArray(new Subscriber[0]);
      }
      return snapshot;
    }
  }

  public LoopChannels(Hub hub, int loop) {
    this.hub = hub;
    this.loop = loop;
  }

  /**
   * Adds a subscriber; it receives the channel's deliveries from now on. The Future completes when
   * the node's broker subscription for the channel is in place.
   */
  public Future<Void> add(String channel, Subscriber subscriber) {
    Entry entry = channels.computeIfAbsent(channel, c -> new Entry());
    if (!entry.subscribers.add(subscriber)) {
      return Future.succeededFuture();
    }
    entry.snapshot = null;
    return hub.subscribe(channel, loop);
  }

  /** Removes a subscriber; the node's last one ends the broker subscription. */
  public void remove(String channel, Subscriber subscriber) {
    Entry entry = channels.get(channel);
    if (entry == null || !entry.subscribers.remove(subscriber)) {
      return;
    }
    entry.snapshot = null;
    if (entry.subscribers.isEmpty()) {
      channels.remove(channel);
    }
    hub.unsubscribe(channel, loop);
  }

  /** Writes one delivery to the channel's subscribers on this loop, the same bytes to each. */
  public int deliver(Delivery delivery) {
    Entry entry = channels.get(delivery.channel());
    if (entry == null) {
      return 0;
    }
    // An immutable snapshot: a subscriber may unsubscribe (e.g. be closed as a slow consumer) meanwhile.
    Subscriber[] targets = entry.snapshot();
    for (Subscriber s : targets) {
      s.deliver(delivery);
    }
    return targets.length;
  }
}
