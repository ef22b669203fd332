package chatcluster.node.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Several independent Redis servers (REDIS_URL with commas) as one: every key family is placed by a
 * stable hash (CRC32) of its subject (channel, user, device, counter name), so a channel's meta,
 * stream, presence and pub/sub live together on one server. Node-wide traffic (broadcasts, the node
 * directory) uses the first server. Redis Cluster is not used: each URL is a standalone server.
 */
public final class RedisShards {
  private final List<RedisLink> links;

  public RedisShards(List<RedisLink> links) {
    if (links.isEmpty()) {
      throw new IllegalArgumentException("no Redis server");
    }
    this.links = List.copyOf(links);
  }

  public RedisLink forSubject(String subject) {
    if (links.size() == 1) {
      return links.get(0);
    }
    CRC32 crc = new CRC32();
    crc.update(subject.getBytes(StandardCharsets.UTF_8));
    return links.get((int) (crc.getValue() % links.size()));
  }

  public RedisLink primary() {
    return links.get(0);
  }

  public List<RedisLink> all() {
    return links;
  }

  public boolean healthy() {
    return links.stream().allMatch(RedisLink::healthy);
  }
}
