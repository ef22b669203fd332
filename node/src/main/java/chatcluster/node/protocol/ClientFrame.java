package chatcluster.node.protocol;


import io.vertx.core.json.JsonObject;

/**
 * Commands a client sends (PROTOCOL.md section 2), one record per {@code type}. {@code id} is the
 * client's correlation id (a String or a Number) or null. {@code data} fields hold any JSON value as
 * decoded by Vert.x: JsonObject, JsonArray, String, Number, Boolean or null.
 */
public sealed interface ClientFrame {
  Object id();

  /** A recovery position: the last offset the client saw and the epoch it belonged to. */
  record Since(long offset, String epoch) {}

  /** Who a direct {@code send} goes to: exactly one of user or device. */
  record Target(String user, String device) {}

  record Auth(Object id, String token, String user, String device) implements ClientFrame {}

  record Subscribe(Object id, String channel, Since since) implements ClientFrame {}

  record Unsubscribe(Object id, String channel) implements ClientFrame {}

  /** {@code key}: a retried publish's key (null for none): the second with the same key publishes nothing. */
  record Publish(Object id, String channel, Object data, String key) implements ClientFrame {
    public Publish(Object id, String channel, Object data) {
      this(id, channel, data, null);
    }
  }

  record Event(Object id, String name, String channel, Object data) implements ClientFrame {}

  /** {@code receipt}: the sender wants a receipt when a recipient device acknowledges (inbox on). */
  record Send(Object id, Target to, Object data, boolean receipt) implements ClientFrame {
    public Send(Object id, Target to, Object data) {
      this(id, to, data, false);
    }
  }

  /** A device acknowledges one of its inboxes ({@code user} or {@code device}) up to {@code offset}. */
  record InboxAck(Object id, String inbox, long offset) implements ClientFrame {}

  record Presence(Object id, String channel) implements ClientFrame {}

  record History(Object id, String channel, Integer limit, Since since) implements ClientFrame {}

  /** REST relay request; {@code typed} is false for older clients that sent path and method only. */
  record Request(Object id, String path, String method, Object body, JsonObject headers, long interval,
                 boolean typed) implements ClientFrame {}

  record Tasks(Object id) implements ClientFrame {}

  record Cancel(Object id, String task) implements ClientFrame {}

  record Ping(Object id) implements ClientFrame {}
}
