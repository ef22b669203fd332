package chatcluster.node.relay;

import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.broker.Direct;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.JsonNumbers;
import chatcluster.node.protocol.Sender;
import chatcluster.node.services.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import chatcluster.node.inbox.InboxMail;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries out backend pushes cluster-wide, whichever node receives them: {@code multicast} to every
 * connection, {@code sendToChannel} as a server {@code message} (kept in history when persistent),
 * {@code sendToDevice} and {@code sendToUser} as {@code direct} (kept in the inbox with {@code store},
 * or by default with inbox.enabled), {@code subscribe}/{@code unsubscribe} on the device's
 * connections on their own nodes. Runs on the node's event loop.
 */
public final class RelayService {
  private final NodeServices node;

  public RelayService(NodeServices node) {
    this.node = node;
  }

  /** Parses a request body: one action, or an array of them (applied in order). */
  public static List<RelayAction> parse(Buffer body) {
    String encoding = JsonNumbers.notUtf8Json(body);
    if (encoding != null) {
      throw ChatException.badRequest(encoding);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ChatException.badRequest("malformed JSON");
    }
    if (!JsonNumbers.allFinite(json)) {
      throw ChatException.badRequest("numbers must be finite (a literal such as 1e400 overflows a double)");
    }
    List<RelayAction> actions = new ArrayList<>();
    if (json instanceof JsonArray array) {
      if (array.isEmpty()) {
        throw ChatException.badRequest("empty array of actions");
      }
      for (int i = 0; i < array.size(); i++) {
        try {
          actions.add(RelayAction.parse(array.getValue(i)));
        } catch (ChatException e) {
          throw new ChatException(e.code(), "action [" + i + "]: " + e.getMessage());
        }
      }
    } else {
      actions.add(RelayAction.parse(json));
    }
    return actions;
  }

  /** Applies actions in order; stops at the first that fails (those before it stay applied). */
  public Future<Void> apply(List<RelayAction> actions) {
    Future<Void> f = Future.succeededFuture();
    for (int i = 0; i < actions.size(); i++) {
      RelayAction action = actions.get(i);
      String where = actions.size() > 1 ? "action [" + i + "]: " : "";
      f = f.compose(v -> apply(action).recover(e -> Future.failedFuture(e instanceof ChatException ce
          ? new ChatException(ce.code(), where + ce.getMessage()) : e)));
    }
    return f;
  }

  public Future<Void> apply(RelayAction action) {
    try {
      if (action instanceof RelayAction.Multicast m) {
        return node.outbound().broadcast(m.data());
      }
      if (action instanceof RelayAction.SendToChannel s) {
        return node.outbound().publish(s.channel(), node.catalog().resolve(s.channel()), s.data(), Sender.SERVER).mapEmpty();
      }
      if (action instanceof RelayAction.SendToDevice d) {
        if (stores(d.store())) {
          return mail().send(null, d.device(), d.data(), Sender.SERVER, false).mapEmpty();
        }
        return node.outbound().sendDirect(null, d.device(), d.data(), Sender.SERVER).compose(n -> reached(n, d.device()));
      }
      if (action instanceof RelayAction.SendToUser u) {
        if (stores(u.store())) {
          return mail().send(u.user(), null, u.data(), Sender.SERVER, false).mapEmpty();
        }
        return node.outbound().sendDirect(u.user(), null, u.data(), Sender.SERVER).compose(n -> n > 0
            ? Future.succeededFuture()
            : Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "user '" + u.user() + "' is not connected")));
      }
      if (action instanceof RelayAction.Subscribe s) {
        node.catalog().resolve(s.channel());
        return node.outbound().deviceCommand(new DeviceCommand(s.device(), true, s.channel()))
            .compose(n -> reached(n, s.device()));
      }
      RelayAction.Unsubscribe u = (RelayAction.Unsubscribe) action;
      node.catalog().resolve(u.channel());
      return node.outbound().deviceCommand(new DeviceCommand(u.device(), false, u.channel()))
          .compose(n -> reached(n, u.device()));
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
  }

  /** Whether a send is kept in the inbox: as asked, else the node's default; asking needs the inbox on. */
  private boolean stores(Boolean asked) {
    boolean on = node.config().inbox().enabled();
    if (Boolean.TRUE.equals(asked) && !on) {
      throw ChatException.badRequest("store: true needs the inbox (inbox.enabled)");
    }
    return asked == null ? on : asked;
  }

  private InboxMail mail() {
    return new InboxMail(node.outbound(), node.cluster(), node.history(), node.config().inbox());
  }

  private static Future<Void> reached(int connections, String device) {
    return connections > 0 ? Future.succeededFuture()
        : Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, "device '" + device + "' is not connected"));
  }

  /** The JSON error body of the HTTP API and the reason of the socket's ERR. */
  public static JsonObject errorBody(ChatException e) {
    return new JsonObject().put("ok", false).put("error", e.code().wire()).put("message", e.getMessage());
  }
}
