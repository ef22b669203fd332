package chatcluster.cluster;

/**
 * A node in the directory.
 *
 * @param id          the node id (as in welcome frames and presence)
 * @param address     where clients reach it (host:port of its WebSocket server)
 * @param connections its client connections, as it last reported them
 * @param started     when it started, epoch milliseconds
 */
public record NodeInfo(String id, String address, int connections, long started) {}
