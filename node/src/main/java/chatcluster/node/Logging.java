package chatcluster.node;

import org.slf4j.LoggerFactory;

/** Switches the node's own loggers to DEBUG when the backend is Logback (the one the jar ships). */
final class Logging {
  private Logging() {}

  static void enableDebug() {
    if (LoggerFactory.getLogger("chatcluster") instanceof ch.qos.logback.classic.Logger logger) {
      logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    }
  }
}
