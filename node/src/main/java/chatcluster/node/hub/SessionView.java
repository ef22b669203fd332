package chatcluster.node.hub;

import java.util.List;

/**
 * One connection as the operations console shows it, made when asked: nothing of it is kept.
 *
 * @param session        the session id ({@code s-…})
 * @param user           the user it is authenticated as, or null before it is
 * @param device         its device, or null before it is authenticated
 * @param address        the client's address (behind a trusted proxy, the forwarded one)
 * @param protocol       {@code native} or {@code pusher}
 * @param connectedSince when the WebSocket was accepted, epoch ms (to the second)
 * @param subscriptions  the channels it is subscribed to
 */
public record SessionView(String session, String user, String device, String address, String protocol,
                          long connectedSince, List<String> subscriptions) {}
