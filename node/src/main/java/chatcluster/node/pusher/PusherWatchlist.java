package chatcluster.node.pusher;

import chatcluster.node.channel.Delivery;
import chatcluster.node.config.PusherApp;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.transport.Connection;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A signed-in Pusher connection's side of watchlist online status: the connection is one entry of its
 * user's online set, and it hears the online sets of the users on its watchlist.
 *
 * <p><b>Cluster-wide, once per transition.</b> A user's online set lives in the presence store
 * ({@link PusherChannel#online}): one entry per connection signed in as the user, on any node. The
 * store counts the user's entries in the same atomic step as each add and removal, so exactly one
 * connection is the first (the user comes {@code online}) and exactly one the last ({@code offline}),
 * also when the last ones went with a node that died (the node that cleans up after it removes them;
 * see {@link PusherPresence}). That one transition is published once on the user's online channel and
 * reaches every watcher on every node as the same bytes.
 *
 * <p><b>What a watcher is told.</b> On sign-in the connection subscribes to its watched users'
 * channels first and then reads their online sets, and is told the state of each ({@code online} and
 * {@code offline} ids in one {@code pusher_internal:watchlist_events}). A transition heard before that
 * answer is newer than the read and wins. After that, each watched user's transitions are passed on
 * when they change what the connection was last told, so a watcher hears each change once. Two nodes
 * announcing opposite transitions of one user in the same milliseconds can reach watchers in either
 * order; the watcher then hears the same state twice in a row, and when it does, it reads the user's
 * online set again after {@link #RECHECK_MS} and tells the state found if it differs.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class PusherWatchlist {
  private static final Logger log = LoggerFactory.getLogger(PusherWatchlist.class);
  /** How long a watcher waits, after hearing a state twice, before it reads the state again. */
  static final long RECHECK_MS = 1000;

  private final PusherService service;
  private final PusherApp app;
  private final Connection connection;
  private final String socketId;
  private final String user;
  private final Map<String, LoopChannels.Subscriber> watches = new LinkedHashMap<>();
  /** What the connection was last told of each watched user (before the first answer: what it heard). */
  private final Map<String, Boolean> told = new HashMap<>();
  private boolean live;
  private boolean stopped;

  PusherWatchlist(PusherService service, PusherApp app, Connection connection, String socketId, String user) {
    this.service = service;
    this.app = app;
    this.connection = connection;
    this.socketId = socketId;
    this.user = user;
  }

  /**
   * Enters the connection into its user's online set and starts watching {@code ids}; the Future
   * completes once the watched users' state was sent (or could not be read: then a {@code pusher:error}
   * says so and the transitions still come).
   */
  Future<Void> start(List<String> ids) {
    Future<Void> entered = service.enterOnline(app, socketId, user)
        .onFailure(e -> log.debug("pusher socket {}: online status of {} not recorded: {}", socketId, user, e.toString()));
    List<Future<Void>> subscribed = new ArrayList<>();
    for (String id : ids) {
      LoopChannels.Subscriber watcher = d -> heard(id, d);
      watches.put(id, watcher);
      subscribed.add(service.watchOnline(app, id, watcher));
    }
    Future<List<Boolean>> states = Future.all(subscribed).compose(v -> {
      List<Future<Boolean>> reads = ids.stream().map(id -> service.isOnline(app, id)).toList();
      return Future.all(reads).map(all -> reads.stream().map(Future::result).toList());
    });
    return Future.join(entered, states).transform(ar -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      live = true;
      if (states.failed()) {
        log.debug("pusher socket {}: watchlist state not read: {}", socketId, states.cause().toString());
        connection.send(PusherFrames.error(null, "Watchlist status unavailable: the cluster cannot be reached"));
        return Future.succeededFuture();
      }
      List<String> online = new ArrayList<>();
      List<String> offline = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        Boolean read = states.result().get(i);
        boolean on = told.computeIfAbsent(id, k -> read); // a transition heard wins
        (on ? online : offline).add(id);
      }
      if (!online.isEmpty() || !offline.isEmpty()) {
        connection.send(PusherFrames.watchlistEvents(online, offline));
      }
      return Future.succeededFuture();
    });
  }

  /** A transition of watched user {@code id}, as every watcher of it on the node gets it. */
  private void heard(String id, Delivery delivery) {
    Boolean online = PusherFrames.watchlistTransition(delivery.frame());
    if (online == null || stopped) {
      return;
    }
    if (!live) {
      told.put(id, online); // newer than the read still under way
      return;
    }
    if (online.equals(told.get(id))) {
      recheckLater(id);
      return;
    }
    told.put(id, online);
    connection.writeShared(delivery.frame(), delivery.wire());
  }

  /** Reads a watched user's online set again after {@link #RECHECK_MS}; tells the state found if it differs. */
  private void recheckLater(String id) {
    service.services().vertx().setTimer(RECHECK_MS, t -> {
      if (stopped) {
        return;
      }
      service.isOnline(app, id).onSuccess(on -> {
        if (!stopped && !on.equals(told.get(id))) {
          told.put(id, on);
          connection.send(on ? PusherFrames.watchlistEvents(List.of(id), List.of())
              : PusherFrames.watchlistEvents(List.of(), List.of(id)));
        }
      });
    });
  }

  /** The connection closed: out of the online set (offline to the watchers when it was the user's last). */
  void stop() {
    stopped = true;
    watches.forEach((id, watcher) -> service.unwatchOnline(app, id, watcher));
    watches.clear();
    service.leaveOnline(app, socketId, user);
  }
}
