package chatcluster.node.pusher;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * Pusher protocol 7's frames, both ways: the only class of the adapter that touches their JSON.
 *
 * <p>Every frame is {@code {"event","channel"?,"data"?}}. Pusher encodes {@code data} of its own
 * events as a JSON string (a JSON document inside a string), {@code pusher:error}'s as an object;
 * events from the HTTP API carry the string they were given, client events whatever the client sent.
 *
 * <p><b>Exclusion envelope.</b> A frame that one connection must not get (a client event's sender, an
 * API event's {@code socket_id}) travels as {@code !<socket_id>\n<frame>}: the subscriber compares the
 * socket id and writes the frame part, a slice of the same bytes, so the frame is still encoded once.
 * Frames of the native protocol that reach an internal channel (the broker's {@code reset}, a leave
 * for a dead node's presence entry) start with {@code {"type"} and are not Pusher frames: they are skipped.
 */
public final class PusherFrames {
  private PusherFrames() {}

  /** A frame a client sent. {@code data} is a JsonObject, a String, another JSON value or null. */
  public record ClientMessage(String event, String channel, Object data) {
    public JsonObject dataObject() {
      if (data instanceof JsonObject o) {
        return o;
      }
      if (data instanceof String s) {
        try {
          return new JsonObject(s);
        } catch (DecodeException | ClassCastException e) {
          return null;
        }
      }
      return null;
    }
  }

  /** Thrown for a frame that is not a JSON object with a string {@code event}. */
  public static final class InvalidFrame extends Exception {
    public InvalidFrame(String message) {
      super(message);
    }
  }

  public static ClientMessage decode(String text) throws InvalidFrame {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new InvalidFrame("not a JSON object");
    }
    Object event = json.getValue("event");
    Object channel = json.getValue("channel");
    if (!(event instanceof String name) || name.isEmpty()) {
      throw new InvalidFrame("missing event");
    }
    if (channel != null && !(channel instanceof String)) {
      throw new InvalidFrame("channel must be a string");
    }
    return new ClientMessage(name, (String) channel, json.getValue("data"));
  }

  // ------------------------------------------------------------------ server frames

  public static Buffer connectionEstablished(String socketId, int activityTimeout) {
    return frame("pusher:connection_established", null,
        new JsonObject().put("socket_id", socketId).put("activity_timeout", activityTimeout).encode());
  }

  /** {@code pusher:error}; {@code code} null for errors that concern one request, not the connection. */
  public static Buffer error(Integer code, String message) {
    return frame("pusher:error", null, new JsonObject().put("code", code).put("message", message));
  }

  public static Buffer pong() {
    return frame("pusher:pong", null, new JsonObject());
  }

  /** {@code presence} is Pusher's {@code {ids, hash, count}}, or null for other channels. */
  public static Buffer subscriptionSucceeded(String channel, JsonObject presence) {
    return frame("pusher_internal:subscription_succeeded", channel,
        presence == null ? "{}" : new JsonObject().put("presence", presence).encode());
  }

  /** What pusher-js reports as the channel's {@code pusher:subscription_error}. */
  public static Buffer subscriptionError(String channel, int status, String type, String error) {
    return frame("pusher:subscription_error", channel,
        new JsonObject().put("type", type).put("error", error).put("status", status));
  }

  public static Buffer memberAdded(String channel, String userId, Object userInfo) {
    JsonObject data = new JsonObject().put("user_id", userId);
    if (userInfo != null) {
      data.put("user_info", userInfo);
    }
    return frame("pusher_internal:member_added", channel, data.encode());
  }

  public static Buffer memberRemoved(String channel, String userId) {
    return frame("pusher_internal:member_removed", channel, new JsonObject().put("user_id", userId).encode());
  }

  public static Buffer signinSuccess(String userData) {
    return frame("pusher:signin_success", null, new JsonObject().put("user_data", userData));
  }

  /**
   * {@code pusher_internal:watchlist_events} with an {@code online} event for {@code online} (when not
   * empty) and an {@code offline} one for {@code offline} (likewise); pusher-js hands each to the
   * {@code pusher.user.watchlist} callbacks of its name.
   */
  public static Buffer watchlistEvents(Collection<String> online, Collection<String> offline) {
    JsonArray events = new JsonArray();
    if (!online.isEmpty()) {
      events.add(new JsonObject().put("name", "online").put("user_ids", new JsonArray(List.copyOf(online))));
    }
    if (!offline.isEmpty()) {
      events.add(new JsonObject().put("name", "offline").put("user_ids", new JsonArray(List.copyOf(offline))));
    }
    return frame("pusher_internal:watchlist_events", null, new JsonObject().put("events", events));
  }

  /** What {@link #watchlistEvents} of one user's transition starts with, up to its event's name. */
  private static final byte[] WATCHLIST_HEAD =
      "{\"event\":\"pusher_internal:watchlist_events\",\"data\":{\"events\":[{\"name\":\"o"
          .getBytes(StandardCharsets.US_ASCII);

  /**
   * Whether a delivered frame is one user's watchlist transition: {@code TRUE} online, {@code FALSE}
   * offline, null when it is no such frame (e.g. the broker's reset on the internal channel).
   */
  public static Boolean watchlistTransition(Buffer frame) {
    if (frame.length() <= WATCHLIST_HEAD.length + 1) {
      return null;
    }
    for (int i = 0; i < WATCHLIST_HEAD.length; i++) {
      if (frame.getByte(i) != WATCHLIST_HEAD[i]) {
        return null;
      }
    }
    byte next = frame.getByte(WATCHLIST_HEAD.length);
    return next == 'n' ? Boolean.TRUE : next == 'f' ? Boolean.FALSE : null;
  }

  public static Buffer cacheMiss(String channel) {
    return frame("pusher:cache_miss", channel, null);
  }

  /** An event on a channel: from the HTTP API ({@code data} a string) or a client ({@code userId} on presence). */
  public static Buffer event(String channel, String name, Object data, String userId) {
    JsonObject json = new JsonObject().put("event", name).put("channel", channel).put("data", data);
    if (userId != null) {
      json.put("user_id", userId);
    }
    return Buffer.buffer(json.encode());
  }

  /**
   * {@link #event} open at its end for the broker's offset ({@code ,"offset":}), for cache channels,
   * whose last event is kept in the channel's history. pusher-js ignores the extra field.
   */
  public static Buffer eventPrefix(String channel, String name, Object data) {
    String json = new JsonObject().put("event", name).put("channel", channel).put("data", data).encode();
    return Buffer.buffer(json.substring(0, json.length() - 1) + ",\"offset\":");
  }

  private static Buffer frame(String event, String channel, Object data) {
    JsonObject json = new JsonObject().put("event", event);
    if (channel != null) {
      json.put("channel", channel);
    }
    if (data != null) {
      json.put("data", data);
    }
    return Buffer.buffer(json.encode());
  }

  // ------------------------------------------------------------------ the exclusion envelope

  /** {@code frame} for everyone but {@code socketId} (null: for everyone, the frame itself). */
  public static Buffer excluding(String socketId, Buffer frame) {
    if (socketId == null) {
      return frame;
    }
    byte[] head = ("!" + socketId + "\n").getBytes(StandardCharsets.US_ASCII);
    return Buffer.buffer(head.length + frame.length()).appendBytes(head).appendBuffer(frame);
  }

  /**
   * What {@code socketId} should be written of a delivered frame: the frame (a slice of the same bytes
   * when enveloped), or null when it is excluded or the frame is not a Pusher frame.
   */
  public static Buffer forSocket(Buffer delivered, String socketId) {
    if (delivered.length() < 2) {
      return null;
    }
    byte first = delivered.getByte(0);
    if (first == '!') {
      int newline = -1;
      for (int i = 1; i < delivered.length() && i < 64; i++) {
        if (delivered.getByte(i) == '\n') {
          newline = i;
          break;
        }
      }
      if (newline < 0) {
        return null;
      }
      String excluded = delivered.getString(1, newline, "US-ASCII");
      return excluded.equals(socketId) ? null : delivered.slice(newline + 1, delivered.length());
    }
    return first == '{' && delivered.getByte(2) == 'e' ? delivered : null;
  }
}
