package chatcluster.node.inbox;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/** Inbox positions of a node alone, in memory (the embedded default). */
public final class LocalInboxPositions implements InboxPositions {
  private record Position(String epoch, long offset) {}

  private final ConcurrentHashMap<String, Position> positions = new ConcurrentHashMap<>();

  private static String key(String inbox, String device) {
    return inbox + "\n" + device;
  }

  @Override
  public Future<Long> position(String inbox, String device, String epoch) {
    Position p = positions.get(key(inbox, device));
    return Future.succeededFuture(p != null && p.epoch.equals(epoch) ? p.offset : -1L);
  }

  @Override
  public Future<Long> ack(String inbox, String device, String epoch, long offset) {
    long[] before = {-1};
    positions.compute(key(inbox, device), (k, p) -> {
      before[0] = p != null && p.epoch.equals(epoch) ? p.offset : -1;
      return offset > before[0] ? new Position(epoch, offset) : p;
    });
    return Future.succeededFuture(before[0]);
  }
}
