package chatcluster.node.config;

import chatcluster.node.channel.ChannelOptions;
import java.time.Duration;

/**
 * Messages to people: the inbox per user and per device, and retry-safe publishes.
 *
 * @param enabled       whether {@code send} (and the relay's sends) store what they send
 * @param size          messages an inbox keeps; the oldest go first
 * @param ttl           how long an inbox is kept after its last message
 * @param publishKeyTtl how long a publish's {@code key} is remembered on its channel
 */
public record InboxSettings(boolean enabled, int size, Duration ttl, Duration publishKeyTtl) {
  public static final InboxSettings DEFAULTS = new InboxSettings(false, 1000, Duration.ofDays(7), Duration.ofMinutes(10));

  /** An inbox as the broker and the history store see it: a persistent channel of {@link #size} and {@link #ttl}. */
  public ChannelOptions channelOptions() {
    return ChannelOptions.builder().persistent(true).historySize(size).historyTtl(ttl).clientPublish(false).build();
  }
}
