package chatcluster.node.auth;

import chatcluster.node.protocol.ChatException;
import io.vertx.core.Future;

/**
 * Decides who a connection is and which private channels it may join. The node's default checks the
 * static token and JWTs from the configuration; an embedding application may set its own.
 *
 * <p>Called on the node's event loop: an implementation must not block (use Vert.x clients or
 * {@code executeBlocking}). Failing with a {@link ChatException} of code {@code unauthorized} closes the
 * connection with 4001, with {@code forbidden} with 4003; any other failure closes it with 4001.
 */
public interface Authenticator {

  /**
   * Authenticates a connection. {@code request.token()} is null when the client presented no
   * credential: return an anonymous principal to let it in, or fail.
   */
  Future<Principal> authenticate(AuthRequest request);

  /** Whether {@code principal} may join the private channel {@code channel}; by default its grants decide. */
  default Future<Boolean> canJoinPrivate(Principal principal, String channel) {
    return Future.succeededFuture(principal.grants(channel));
  }
}
