package chatcluster.node.hub;

import chatcluster.node.broker.DeviceCommand;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * A connection as the fan-out sees it: a target of broadcasts, of direct sends to its user or device,
 * of a backend's device commands and of an operator's look and disconnect. The native protocol's
 * session is one.
 *
 * <p>Threading: called on the connection's event loop only.
 */
public interface Recipient {
  String id();

  /** The user it is authenticated as; null before it is. */
  String user();

  /** Its device; null before it is authenticated. */
  String device();

  boolean isOpen();

  /** Writes a frame shared with other receivers, as a whole WebSocket frame when {@code wire} is given. */
  void sendShared(Buffer frame, ByteBuf wire);

  /** Carries out a backend's subscribe or unsubscribe, in turn with the connection's own commands. */
  void apply(DeviceCommand command);

  /** Writes the connection's route and presence entries again, after the cluster took its node for dead. */
  void rejoin();

  /** What an operator sees of this connection, made now. */
  SessionView view();

  /** Closes the connection with {@code code} and {@code reason}: an operator's disconnect. */
  void disconnect(int code, String reason);
}
