package chatcluster.node.broker;

import chatcluster.node.channel.Delivery;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of {@link NodeMessage}: {@code <origin>\n<offset or -1>\n<tag>\n<body>}, where the tag
 * is a message's epoch (channel frames), empty (events and broadcasts), {@code u:<user>},
 * {@code d:<device>}, {@code S:<device>} / {@code U:<device>} (device orders, whose body is the
 * channel), or {@code q:<id>} / {@code a:<id>} (a query to one node and its answer). The publish script ({@code RedisScripts.PUBLISH}) writes channel frames in this same form
 * inside Redis, completing the frame with the offset it assigns; nothing else writes or reads it.
 */
public final class NodeMessageCodec {
  /** Which pub/sub channel a payload came on: it tells channel frames from broadcasts. */
  public enum Scope { CHANNEL, EVERYONE, NODE }

  private NodeMessageCodec() {}

  public static Buffer encode(NodeMessage message) {
    if (message instanceof NodeMessage.ChannelFrame c) {
      return encode(c.origin(), c.offset(), c.epoch(), c.frame());
    } else if (message instanceof NodeMessage.Everyone e) {
      return encode(e.origin(), Delivery.NO_OFFSET, null, e.frame());
    } else if (message instanceof NodeMessage.ToUser u) {
      return encode(u.origin(), Delivery.NO_OFFSET, "u:" + u.user(), u.frame());
    } else if (message instanceof NodeMessage.ToDevice d) {
      return encode(d.origin(), Delivery.NO_OFFSET, "d:" + d.device(), d.frame());
    } else if (message instanceof NodeMessage.Query q) {
      return encode(q.origin(), Delivery.NO_OFFSET, "q:" + q.id(), q.body());
    } else if (message instanceof NodeMessage.Answer a) {
      return encode(a.origin(), Delivery.NO_OFFSET, "a:" + a.id(), a.body());
    }
    NodeMessage.DeviceOrder o = (NodeMessage.DeviceOrder) message; // the interface is sealed
    return encode(o.origin(), Delivery.NO_OFFSET, (o.subscribe() ? "S:" : "U:") + o.device(),
        Buffer.buffer(o.channel()));
  }

  private static Buffer encode(String origin, long offset, String tag, Buffer body) {
    byte[] head = (origin + "\n" + offset + "\n" + (tag == null ? "" : tag) + "\n").getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(head.length + body.length()).appendBytes(head).appendBuffer(body);
  }

  /**
   * Reads a payload that came on a pub/sub channel of {@code scope}; null when it is not a node
   * message (the caller logs and drops it). The body is a slice of {@code payload}.
   */
  public static NodeMessage decode(Buffer payload, Scope scope) {
    int[] newlines = new int[3];
    int found = 0;
    for (int i = 0; i < payload.length() && found < 3; i++) {
      if (payload.getByte(i) == '\n') {
        newlines[found++] = i;
      }
    }
    if (found < 3) {
      return null;
    }
    String origin = payload.getString(0, newlines[0], "UTF-8");
    long offset;
    try {
      offset = Long.parseLong(payload.getString(newlines[0] + 1, newlines[1], "UTF-8"));
    } catch (NumberFormatException e) {
      return null;
    }
    String tag = payload.getString(newlines[1] + 1, newlines[2], "UTF-8");
    Buffer body = payload.slice(newlines[2] + 1, payload.length());
    return switch (scope) {
      case CHANNEL -> new NodeMessage.ChannelFrame(origin, offset, tag.isEmpty() ? null : tag, body);
      case EVERYONE -> new NodeMessage.Everyone(origin, body);
      case NODE -> routed(origin, tag, body);
    };
  }

  private static NodeMessage routed(String origin, String tag, Buffer body) {
    if (tag.length() < 3 || tag.charAt(1) != ':') {
      return null;
    }
    String target = tag.substring(2);
    return switch (tag.charAt(0)) {
      case 'u' -> new NodeMessage.ToUser(origin, target, body);
      case 'd' -> new NodeMessage.ToDevice(origin, target, body);
      case 'S', 'U' -> new NodeMessage.DeviceOrder(origin, target, tag.charAt(0) == 'S', body.toString());
      case 'q' -> new NodeMessage.Query(origin, target, body);
      case 'a' -> new NodeMessage.Answer(origin, target, body);
      default -> null;
    };
  }
}
