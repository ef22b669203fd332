package chatcluster.node.admin;

import chatcluster.cluster.BuildInfo;
import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.hub.Recipient;
import chatcluster.node.hub.SessionView;
import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node answers about itself when the console asks (any node's {@link AdminService} asks it
 * over the broker, or its own directly): its figures, its channels, a user's sessions on it, and the
 * actions carried out on its own connections. Everything is computed when asked; the only state is
 * the last sample of two counters, taken by the previous question, from which rates are computed.
 *
 * <p>Threading: on the node's context; sessions are read and closed on their own loops.
 */
final class LocalAnswers {
  private static final Logger log = LoggerFactory.getLogger(LocalAnswers.class);

  /** The counters a rate is computed from, and when they were read. */
  private record Sample(long at, long in, long out) {}

  private final NodeServices node;
  private final NodeFacts facts;
  private Sample previous;
  private Sample last;

  LocalAnswers(NodeServices node, NodeFacts facts) {
    this.node = node;
    this.facts = facts;
    this.previous = new Sample(facts.startedAt(), 0, 0);
    this.last = previous;
  }

  /** Answers a question ({@link Questions}); fails with a {@link ChatException} for a bad one. */
  Future<JsonObject> answer(JsonObject q) {
    try {
      return switch (Questions.kind(q)) {
        case Questions.NODE -> Future.succeededFuture(self());
        case Questions.CHANNELS -> Future.succeededFuture(channels(q.getString("prefix", ""), q.getString("after"),
            q.getInteger("limit", 100)));
        case Questions.CHANNEL -> Future.succeededFuture(new JsonObject().put("node", node.nodeId())
            .put("subscribers", node.hub().subscriberCount(q.getString("channel"))));
        case Questions.USER -> sessions(q.getString("user"));
        case Questions.DISCONNECT -> disconnect(q.getString("user"), q.getString("session"), q.getInteger("code"),
            q.getString("reason"));
        case Questions.UNSUBSCRIBE -> unsubscribe(q.getString("user"), q.getString("channel"));
        case Questions.DRAIN -> drain(q.getLong("window", node.config().drainTimeout().toMillis()));
        default -> Future.failedFuture(ChatException.badRequest("unknown question"));
      };
    } catch (ClassCastException e) {
      return Future.failedFuture(ChatException.badRequest("a question field has the wrong type"));
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
  }

  /** This node's figures, rates over the time since the previous question (at least a second). */
  private JsonObject self() {
    NodeMetrics m = node.metrics();
    long now = System.currentTimeMillis();
    if (now - last.at >= 1000) {
      previous = last;
      last = new Sample(now, m.messagesPublished.sum(), m.framesDelivered.sum());
    }
    double seconds = Math.max(0.001, (last.at - previous.at) / 1000.0);
    int subscriptions = 0;
    for (int n : node.hub().subscriberCounts("").values()) {
      subscriptions += n;
    }
    String notReady = facts.notReadyReason();
    return new JsonObject()
        .put("id", node.nodeId())
        .put("address", facts.address())
        .put("version", BuildInfo.version())
        .put("startedAt", facts.startedAt())
        .put("uptimeSeconds", (now - facts.startedAt()) / 1000)
        .put("eventLoops", facts.loopConnections().size())
        .put("loopConnections", new JsonArray(facts.loopConnections()))
        .put("connections", node.connections().count())
        .put("channels", node.hub().channels().size())
        .put("subscriptions", subscriptions)
        .put("messagesInPerSecond", round((last.in - previous.in) / seconds))
        .put("messagesOutPerSecond", round((last.out - previous.out) / seconds))
        .put("messagesInTotal", m.messagesPublished.sum())
        .put("messagesOutTotal", m.framesDelivered.sum())
        .put("redis", node.config().clustered() ? (node.broker().healthy() ? "up" : "down") : "none")
        .put("cluster", node.cluster().joined() ? "joined" : "not joined")
        .put("state", facts.draining() ? "draining" : notReady == null ? "ready" : "not ready")
        .put("reason", notReady);
  }

  private static double round(double rate) {
    return Math.round(rate * 10) / 10.0;
  }

  /**
   * This node's channels whose name starts with {@code prefix} and comes after {@code after}, in name
   * order, at most {@code limit} (and whether there are more): the first {@code limit} of the cluster
   * are among the first {@code limit} of each node, so pages merged from every node are exact.
   */
  private JsonObject channels(String prefix, String after, int limit) {
    TreeMap<String, Integer> sorted = new TreeMap<>(node.hub().subscriberCounts(prefix));
    Map<String, Integer> page = after == null ? sorted : sorted.tailMap(after, false);
    JsonArray out = new JsonArray();
    int taken = 0;
    boolean more = false;
    for (Map.Entry<String, Integer> e : page.entrySet()) {
      if (taken == limit) {
        more = true;
        break;
      }
      out.add(new JsonArray().add(e.getKey()).add(e.getValue()));
      taken++;
    }
    return new JsonObject().put("node", node.nodeId()).put("channels", out).put("more", more);
  }

  private Future<JsonObject> sessions(String user) {
    require(user, "user");
    return node.hub().onEveryLoop(loop -> {
      List<SessionView> views = new ArrayList<>();
      for (Recipient r : loop.recipients().byUser(user)) {
        if (r.isOpen()) {
          views.add(r.view());
        }
      }
      return views;
    }).map(perLoop -> {
      JsonArray sessions = new JsonArray();
      for (List<SessionView> views : perLoop) {
        for (SessionView v : views) {
          sessions.add(new JsonObject().put("session", v.session()).put("node", node.nodeId()).put("user", v.user())
              .put("device", v.device()).put("address", v.address()).put("protocol", v.protocol())
              .put("connectedSince", v.connectedSince()).put("subscriptions", new JsonArray(v.subscriptions())));
        }
      }
      return new JsonObject().put("node", node.nodeId()).put("sessions", sessions);
    });
  }

  private Future<JsonObject> disconnect(String user, String session, Integer code, String reason) {
    if ((user == null) == (session == null)) {
      throw ChatException.badRequest("a disconnect names a user or a session");
    }
    int closeCode = code == null ? Questions.DEFAULT_CLOSE_CODE : code;
    String why = reason == null ? Questions.DEFAULT_REASON : reason;
    return node.hub().onEveryLoop(loop -> {
      List<Recipient> targets = user != null ? loop.recipients().byUser(user) : bySession(loop.recipients().view(),
          session);
      int closed = 0;
      for (Recipient r : targets) {
        if (r.isOpen()) {
          r.disconnect(closeCode, why);
          closed++;
        }
      }
      return closed;
    }).map(counts -> new JsonObject().put("node", node.nodeId()).put("closed", sum(counts)));
  }

  private static List<Recipient> bySession(java.util.Collection<Recipient> all, String session) {
    for (Recipient r : all) {
      if (r.id().equals(session)) {
        return List.of(r);
      }
    }
    return List.of();
  }

  private Future<JsonObject> unsubscribe(String user, String channel) {
    require(user, "user");
    require(channel, "channel");
    return node.hub().onEveryLoop(loop -> {
      int reached = 0;
      for (Recipient r : loop.recipients().byUser(user)) {
        if (r.isOpen()) {
          r.apply(new DeviceCommand(r.device(), false, channel));
          reached++;
        }
      }
      return reached;
    }).map(counts -> new JsonObject().put("node", node.nodeId()).put("reached", sum(counts)));
  }

  private Future<JsonObject> drain(long windowMs) {
    if (windowMs < 0 || windowMs > 3_600_000) {
      throw ChatException.badRequest("window must be 0 to 3600000 ms");
    }
    int connections = node.connections().count();
    if (!facts.draining()) {
      log.info("draining on an operator's request: {} connections over {} ms", connections, windowMs);
      facts.drain(Duration.ofMillis(windowMs)).onFailure(e -> log.warn("drain failed: {}", e.toString()));
    }
    return Future.succeededFuture(new JsonObject().put("node", node.nodeId()).put("draining", true)
        .put("connections", connections));
  }

  private static int sum(List<Integer> counts) {
    int n = 0;
    for (int c : counts) {
      n += c;
    }
    return n;
  }

  private static void require(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new ChatException(ErrorCode.BAD_REQUEST, "'" + field + "' is required");
    }
  }
}
