package chatcluster.node.hooks;

/**
 * A connection as hooks see it.
 *
 * @param session       the session id ({@code s-…})
 * @param user          the user id
 * @param device        the device id
 * @param anonymous     whether it presented no credential
 * @param remoteAddress the client's address
 * @param node          the id of the node holding it
 */
public record ConnectionInfo(String session, String user, String device, boolean anonymous, String remoteAddress,
                             String node) {}
