package chatcluster.node.auth;

import io.vertx.core.MultiMap;

/**
 * What a connection presented when it authenticates.
 *
 * @param session       the session id the node gave the connection
 * @param token         the credential (from Sec-WebSocket-Protocol, Authorization, the auth frame or
 *                      ?token=), or null when none was presented
 * @param user          the user the client asked to be ({@code ?user=} or the auth frame), or null
 * @param device        the device the client asked to be ({@code ?device=} or the auth frame), or null
 * @param remoteAddress the client's address (X-Forwarded-For when the peer is a trusted proxy)
 * @param headers       the upgrade request's headers
 */
public record AuthRequest(String session, String token, String user, String device, String remoteAddress,
                          MultiMap headers) {
  @Override
  public String toString() {
    // Never print the token.
    return "AuthRequest[session=" + session + ", user=" + user + ", device=" + device + ", remote=" + remoteAddress
        + ", token=" + (token == null ? "none" : "present") + "]";
  }
}
