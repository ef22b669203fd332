package chatcluster.node.admin;

import chatcluster.cluster.NodeInfo;
import chatcluster.node.channel.ChannelName;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.history.HistoryPage;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import chatcluster.node.services.NodeServices;
import chatcluster.node.channel.Delivery;
import chatcluster.node.tasks.ScheduledTask;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console's answers for the whole cluster, from whichever node is asked: each live node of the
 * directory is asked its part over the broker ({@code Broker.askNode}, routed to that node only;
 * this node answers its own part directly) and the parts are merged. A node that does not answer
 * within {@link #NODE_TIMEOUT} is listed under {@code unreachable}; the answer holds the others.
 * Nothing is computed or kept while nobody asks.
 *
 * <p>Threading: on the node's context (the API hops here); Futures complete there.
 */
public final class AdminService {
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  public static final int MAX_PAGE = 1000;
  public static final int MAX_HISTORY = 100;

  private final NodeServices node;
  private final LocalAnswers local;

  /** On the node's context, with the node's own services (not a loop's view). */
  public AdminService(NodeServices node, NodeFacts facts) {
    this.node = node;
    this.local = new LocalAnswers(node, facts);
    node.broker().onQuery(body -> {
      JsonObject q;
      try {
        q = Questions.decode(body);
      } catch (ChatException e) {
        return Future.succeededFuture(Questions.encode(Questions.failure(e)));
      }
      return local.answer(q).recover(e -> Future.succeededFuture(Questions.failure(e))).map(Questions::encode);
    });
  }

  /** The live nodes; {@code unavailable} when the directory cannot be read (Redis or Hazelcast away). */
  private Future<List<NodeInfo>> directory() {
    return node.cluster().nodes().recover(e -> Future.failedFuture(e instanceof ChatException ? e
        : new ChatException(ErrorCode.UNAVAILABLE, "the node directory cannot be read now, try again")));
  }

  /** The parts of every live node, by node id in directory order (null for one that did not answer). */
  private Future<Map<String, JsonObject>> askEveryNode(JsonObject question) {
    return directory().compose(nodes -> askNodes(nodes.stream().map(NodeInfo::id).toList(), question));
  }

  private Future<Map<String, JsonObject>> askNodes(List<String> ids, JsonObject question) {
    List<String> targets = new ArrayList<>(ids);
    if (!targets.contains(node.nodeId())) {
      targets.add(0, node.nodeId()); // the directory may lag behind a node that just started
    }
    List<Future<JsonObject>> parts = new ArrayList<>();
    for (String id : targets) {
      parts.add(node.broker().askNode(id, Questions.encode(question), NODE_TIMEOUT)
          .map(b -> Questions.answerOrThrow(Questions.decode(b)))
          // A refused question is this node's mistake; anything else is the other node's trouble.
          .recover(e -> e instanceof ChatException ce && ce.code() == ErrorCode.BAD_REQUEST ? Future.failedFuture(e)
              : Future.succeededFuture(null)));
    }
    return Future.all(parts).map(all -> {
      Map<String, JsonObject> out = new LinkedHashMap<>();
      for (int i = 0; i < targets.size(); i++) {
        out.put(targets.get(i), parts.get(i).result());
      }
      return out;
    });
  }

  private static JsonArray unreachable(Map<String, JsonObject> parts) {
    JsonArray out = new JsonArray();
    parts.forEach((id, part) -> {
      if (part == null) {
        out.add(id);
      }
    });
    return out;
  }

  // ------------------------------------------------------------------ reads

  /** {@code {nodes:[…], unreachable:[…]}}: every live node's figures, in id order. */
  public Future<JsonObject> nodes() {
    return directory().compose(directory -> askNodes(directory.stream().map(NodeInfo::id).toList(),
        Questions.ask(Questions.NODE)).map(parts -> {
          Map<String, JsonObject> byId = new TreeMap<>();
          for (NodeInfo n : directory) {
            // What the directory last heard, for a node that does not answer.
            byId.put(n.id(), new JsonObject().put("id", n.id()).put("address", n.address())
                .put("connections", n.connections()).put("startedAt", n.started()).put("state", "unreachable"));
          }
          parts.forEach((id, part) -> {
            if (part != null) {
              byId.put(id, part);
            }
          });
          int connections = 0;
          for (JsonObject n : byId.values()) {
            connections += n.getInteger("connections", 0);
          }
          return new JsonObject().put("nodes", new JsonArray(new ArrayList<>(byId.values())))
              .put("connections", connections).put("unreachable", unreachable(parts)).put("at", System.currentTimeMillis());
        }));
  }

  /**
   * Channels with subscribers anywhere, in name order: those starting with {@code prefix}, after
   * {@code cursor} (the {@code next} of the previous page), at most {@code limit}; each with its
   * cluster-wide subscriber count, the nodes holding it, presence count, position and options.
   */
  public Future<JsonObject> channels(String prefix, String cursor, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      return Future.failedFuture(ChatException.badRequest("limit must be 1 to " + MAX_PAGE));
    }
    JsonObject q = Questions.ask(Questions.CHANNELS).put("prefix", prefix).put("after", cursor).put("limit", limit);
    return askEveryNode(q).compose(parts -> {
      TreeMap<String, JsonObject> merged = new TreeMap<>();
      boolean more = false;
      for (Map.Entry<String, JsonObject> part : parts.entrySet()) {
        if (part.getValue() == null) {
          continue;
        }
        more |= part.getValue().getBoolean("more", false);
        for (Object o : part.getValue().getJsonArray("channels")) {
          JsonArray entry = (JsonArray) o;
          JsonObject c = merged.computeIfAbsent(entry.getString(0), name -> new JsonObject().put("name", name)
              .put("subscribers", 0).put("nodes", new JsonObject()));
          c.put("subscribers", c.getInteger("subscribers") + entry.getInteger(1));
          c.getJsonObject("nodes").put(part.getKey(), entry.getInteger(1));
        }
      }
      List<JsonObject> page = new ArrayList<>(merged.values());
      if (page.size() > limit) {
        page = page.subList(0, limit);
        more = true;
      }
      List<Future<JsonObject>> enriched = new ArrayList<>();
      for (JsonObject c : page) {
        enriched.add(describe(c));
      }
      boolean hasMore = more;
      return Future.all(enriched).map(all -> new JsonObject()
          .put("channels", new JsonArray(enriched.stream().map(Future::result).toList()))
          .put("next", hasMore && !enriched.isEmpty() ? enriched.get(enriched.size() - 1).result().getString("name") : null)
          .put("unreachable", unreachable(parts)));
    });
  }

  /** Adds a listed channel's options, position and presence count. */
  private Future<JsonObject> describe(JsonObject c) {
    String name = c.getString("name");
    ChannelOptions options;
    try {
      options = node.catalog().resolve(name);
    } catch (ChatException e) {
      return Future.succeededFuture(c);
    }
    c.put("options", options(options));
    Future<JsonObject> f = node.history().position(name).map(p -> c.put("offset", p.offset()).put("epoch", p.epoch()))
        .recover(e -> Future.succeededFuture(c));
    if (options.presence()) {
      f = f.compose(x -> node.presence().members(name).map(m -> c.put("presence", m.size()))
          .recover(e -> Future.succeededFuture(c)));
    }
    return f;
  }

  static JsonObject options(ChannelOptions o) {
    return new JsonObject().put("maxClients", o.maxClients()).put("persistent", o.persistent())
        .put("historySize", o.historySize()).put("historyTtl", o.historyTtl().toSeconds())
        .put("private", o.privateChannel()).put("auth", o.auth()).put("presence", o.presence())
        .put("clientPublish", o.clientPublish());
  }

  /** One channel: subscribers per node, presence members, the last {@code history} messages. */
  public Future<JsonObject> channel(String name, int history) {
    ChannelOptions options;
    try {
      options = resolve(name);
      if (history < 0 || history > MAX_HISTORY) {
        throw ChatException.badRequest("history must be 0 to " + MAX_HISTORY);
      }
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    JsonObject out = new JsonObject().put("name", name).put("options", options(options));
    return askEveryNode(Questions.ask(Questions.CHANNEL).put("channel", name)).compose(parts -> {
      JsonObject perNode = new JsonObject();
      int total = 0;
      for (Map.Entry<String, JsonObject> part : parts.entrySet()) {
        if (part.getValue() != null) {
          int n = part.getValue().getInteger("subscribers", 0);
          perNode.put(part.getKey(), n);
          total += n;
        }
      }
      out.put("subscribers", total).put("nodes", perNode).put("unreachable", unreachable(parts));
      return node.history().position(name);
    }).compose(p -> {
      out.put("offset", p.offset()).put("epoch", p.epoch());
      if (!options.presence()) {
        return Future.succeededFuture(out);
      }
      return node.presence().members(name).map(members -> {
        JsonArray list = new JsonArray();
        for (PresenceMember m : members) {
          list.add(FrameCodec.presenceMember(m.user(), m.device(), m.node()));
        }
        return out.put("presence", new JsonObject().put("count", members.size()).put("members", list));
      });
    }).compose(o -> {
      if (!options.persistent() || history == 0) {
        return Future.succeededFuture(o.put("history", new JsonArray()));
      }
      return node.history().read(name, null, history, options).map(page -> o.put("history", messages(page)));
    });
  }

  private static JsonArray messages(HistoryPage page) {
    JsonArray out = new JsonArray();
    for (Delivery d : page.entries()) {
      JsonObject entry;
      try {
        entry = new JsonObject(d.frame());
      } catch (DecodeException | ClassCastException e) {
        entry = new JsonObject().put("raw", d.frame().toString());
      }
      out.add(entry.put("offset", d.offset()));
    }
    return out;
  }

  private ChannelOptions resolve(String name) {
    if (name == null || !ChannelName.isValid(name)) {
      throw ChatException.badRequest("invalid channel name");
    }
    return node.catalog().resolve(name);
  }

  /** A user's sessions on every node. */
  public Future<JsonObject> user(String user) {
    return askEveryNode(Questions.ask(Questions.USER).put("user", user)).map(parts -> {
      JsonArray sessions = new JsonArray();
      parts.values().forEach(part -> {
        if (part != null) {
          sessions.addAll(part.getJsonArray("sessions"));
        }
      });
      return new JsonObject().put("user", user).put("sessions", sessions).put("unreachable", unreachable(parts));
    });
  }

  // ------------------------------------------------------------------ actions

  /** Closes every session of {@code user}, or the one {@code session}, wherever it is. */
  public Future<JsonObject> disconnect(String user, String session, int code, String reason) {
    if (!closeCodeAllowed(code)) {
      return Future.failedFuture(ChatException.badRequest("code must be 1000, 1001, 1008, 1011, 1012, 1013 or 3000 to 4999"));
    }
    if (reason != null && reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 120) {
      return Future.failedFuture(ChatException.badRequest("reason must be at most 120 bytes"));
    }
    JsonObject q = Questions.ask(Questions.DISCONNECT).put("user", user).put("session", session).put("code", code)
        .put("reason", reason);
    return askEveryNode(q).map(parts -> {
      int closed = 0;
      JsonObject perNode = new JsonObject();
      for (Map.Entry<String, JsonObject> part : parts.entrySet()) {
        if (part.getValue() != null) {
          perNode.put(part.getKey(), part.getValue().getInteger("closed"));
          closed += part.getValue().getInteger("closed");
        }
      }
      return new JsonObject().put("closed", closed).put("nodes", perNode).put("code", code)
          .put("unreachable", unreachable(parts));
    });
  }

  static boolean closeCodeAllowed(int code) {
    return code == 1000 || code == 1001 || code == 1008 || code == 1011 || code == 1012 || code == 1013
        || (code >= 3000 && code <= 4999);
  }

  /** Takes every session of {@code user} out of {@code channel} (they get {@code unsubscribed}). */
  public Future<JsonObject> unsubscribe(String user, String channel) {
    try {
      resolve(channel);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    return askEveryNode(Questions.ask(Questions.UNSUBSCRIBE).put("user", user).put("channel", channel)).map(parts -> {
      int reached = 0;
      for (JsonObject part : parts.values()) {
        reached += part == null ? 0 : part.getInteger("reached");
      }
      return new JsonObject().put("channel", channel).put("reached", reached).put("unreachable", unreachable(parts));
    });
  }

  /** Publishes {@code data} on {@code channel} as the server, cluster-wide (kept in history when persistent). */
  public Future<JsonObject> publish(String channel, Object data) {
    try {
      ChannelOptions options = resolve(channel);
      return node.outbound().publish(channel, options, data, Sender.SERVER)
          .map(offset -> new JsonObject().put("channel", channel).put("offset", offset));
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
  }

  /** Drains one node: not ready, its clients closed with 1012 over {@code windowMs} (they reconnect elsewhere). */
  public Future<JsonObject> drain(String nodeId, Long windowMs) {
    return directory().compose(nodes -> {
      if (nodes.stream().noneMatch(n -> n.id().equals(nodeId)) && !nodeId.equals(node.nodeId())) {
        return Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "no live node '" + nodeId + "'"));
      }
      JsonObject q = Questions.ask(Questions.DRAIN);
      if (windowMs != null) {
        q.put("window", windowMs);
      }
      return node.broker().askNode(nodeId, Questions.encode(q), NODE_TIMEOUT)
          .map(b -> Questions.answerOrThrow(Questions.decode(b)));
    });
  }

  /** The scheduled REST tasks of the cluster (one store for all nodes). */
  public Future<JsonObject> tasks() {
    if (node.rest().isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("enabled", false).put("tasks", new JsonArray()));
    }
    return node.rest().get().tasks().tasks().map(list -> {
      JsonArray out = new JsonArray();
      list.stream().sorted(java.util.Comparator.comparing(ScheduledTask::id)).forEach(t -> out.add(t.summary()
          .put("device", t.device())));
      return new JsonObject().put("enabled", true).put("tasks", out);
    });
  }

  public Future<JsonObject> cancelTask(String id) {
    if (node.rest().isEmpty()) {
      return Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "no scheduled tasks (API_BASE_URL is unset)"));
    }
    return node.rest().get().tasks().tasks().compose(list -> {
      ScheduledTask task = list.stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
      if (task == null) {
        return Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "no task '" + id + "'"));
      }
      return node.rest().get().tasks().cancel(task.device(), id).map(v -> new JsonObject().put("task", id)
          .put("device", task.device()).put("cancelled", true));
    });
  }
}
