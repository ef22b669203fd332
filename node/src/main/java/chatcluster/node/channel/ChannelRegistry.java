package chatcluster.node.channel;

import chatcluster.node.broker.Broker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which local connections subscribe to which channel, and the local fan-out. The node holds one
 * broker subscription per channel, taken with the first local subscriber and dropped with the last,
 * never one per connection. Used from the node's event loop only.
 */
public final class ChannelRegistry {
  /** Receives the frames of the channels it is added to. */
  public interface Subscriber {
    void deliver(Delivery delivery);
  }

  private final Broker broker;
  private final Map<String, Entry> channels = new HashMap<>();

  private static final class Entry {
    final Set<Subscriber> subscribers = new LinkedHashSet<>();
    /** The subscribers as an array for fan-out, rebuilt only when membership changes. */
    Subscriber[] snapshot;
    Future<Void> ready;

    Subscriber[] snapshot() {
      if (snapshot == null) {
        snapshot = subscribers.toArray(new Subscriber[0]);
      }
      return snapshot;
    }
  }

  public ChannelRegistry(Broker broker) {
    this.broker = broker;
  }

  /**
   * Adds a subscriber; it receives the channel's deliveries from now on. The Future completes when
   * the node's broker subscription for the channel is in place.
   */
  public Future<Void> add(String channel, Subscriber subscriber) {
    Entry entry = channels.computeIfAbsent(channel, c -> new Entry());
    if (entry.subscribers.add(subscriber)) {
      entry.snapshot = null;
    }
    if (entry.ready == null) {
      Promise<Void> ready = Promise.promise();
      entry.ready = ready.future();
      broker.subscribe(channel).onComplete(ready);
      entry.ready.onFailure(e -> {
        if (channels.get(channel) == entry) {
          entry.ready = null;
        }
      });
    }
    return entry.ready;
  }

  /** Removes a subscriber; the last one out ends the node's broker subscription. */
  public void remove(String channel, Subscriber subscriber) {
    Entry entry = channels.get(channel);
    if (entry == null || !entry.subscribers.remove(subscriber)) {
      return;
    }
    entry.snapshot = null;
    if (entry.subscribers.isEmpty()) {
      channels.remove(channel);
      broker.unsubscribe(channel);
    }
  }

  /** Writes one delivery to the channel's local subscribers, the same bytes to each. */
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

  public int subscriberCount(String channel) {
    Entry entry = channels.get(channel);
    return entry == null ? 0 : entry.subscribers.size();
  }

  public Set<String> channels() {
    return Set.copyOf(channels.keySet());
  }
}
