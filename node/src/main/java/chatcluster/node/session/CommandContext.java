package chatcluster.node.session;

import chatcluster.node.auth.Principal;
import chatcluster.node.hooks.ConnectionInfo;
import io.vertx.core.buffer.Buffer;

/** What the commands need of their session: who it is, and where its answers go. */
interface CommandContext {
  /** The connection's id (also its presence entry's key). */
  String id();

  /** Who is connected; set before any command runs. */
  Principal principal();

  /** The connection as the hooks see it. */
  ConnectionInfo info();

  /** Writes a frame meant for this client alone. */
  void send(Buffer frame);

  /** Writes a frame shared with other receivers (recovered messages). */
  void sendShared(Buffer frame);

  /** Writes a command's error: a contract error as it is, anything else as {@code internal} (logged). */
  void replyError(Object replyId, Throwable cause);
}
