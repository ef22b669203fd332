package chatcluster.node.config;

/** Where a node's log lines go ({@code WEBSOCKET_LOG_CHANNEL}, as the original server's .env named it). */
public enum LogChannel {
  STDOUT,
  STDERR,
  /** A file per day, {@code chatcluster-YYYY-MM-DD.log}, in the directory of the error log. */
  DAILY
}
