package chatcluster.node.relay;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.json.JsonObject;

/** A backend's push (PROTOCOL.md section 5), one record per {@code action}. */
public sealed interface RelayAction {
  record Multicast(Object data) implements RelayAction {}

  record SendToChannel(String channel, Object data) implements RelayAction {}

  /** {@code store}: null for the node's default (inbox.enabled), else whether to keep it in the inbox. */
  record SendToDevice(String device, Object data, Boolean store) implements RelayAction {
    public SendToDevice(String device, Object data) {
      this(device, data, null);
    }
  }

  record SendToUser(String user, Object data, Boolean store) implements RelayAction {}

  record Subscribe(String device, String channel) implements RelayAction {}

  record Unsubscribe(String device, String channel) implements RelayAction {}

  /** Reads an action; every problem is a {@code bad_request} (or {@code unknown_type}) naming it. */
  static RelayAction parse(Object json) {
    if (!(json instanceof JsonObject o)) {
      throw ChatException.badRequest("an action must be a JSON object");
    }
    Object action = o.getValue("action");
    if (action == null) {
      throw ChatException.badRequest("missing field 'action'");
    }
    if (!(action instanceof String name)) {
      throw ChatException.badRequest("field 'action' must be a string");
    }
    return switch (name) {
      case "multicast" -> new Multicast(data(o));
      case "sendToChannel" -> new SendToChannel(string(o, "channel"), data(o));
      case "sendToDevice" -> new SendToDevice(string(o, "device"), data(o), store(o));
      case "sendToUser" -> new SendToUser(string(o, "user"), data(o), store(o));
      case "subscribe" -> new Subscribe(string(o, "device"), string(o, "channel"));
      case "unsubscribe" -> new Unsubscribe(string(o, "device"), string(o, "channel"));
      default -> throw new ChatException(ErrorCode.UNKNOWN_TYPE, "unknown action '"
          + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
          + "' (multicast, sendToChannel, sendToDevice, sendToUser, subscribe, unsubscribe)");
    };
  }

  private static Boolean store(JsonObject o) {
    Object v = o.getValue("store");
    if (v != null && !(v instanceof Boolean)) {
      throw ChatException.badRequest("field 'store' must be true or false");
    }
    return (Boolean) v;
  }

  private static Object data(JsonObject o) {
    if (!o.containsKey("data")) {
      throw ChatException.badRequest("missing field 'data'");
    }
    return o.getValue("data");
  }

  private static String string(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      throw ChatException.badRequest("missing field '" + field + "'");
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw ChatException.badRequest("field '" + field + "' must be a non-empty string");
    }
    return s;
  }
}
