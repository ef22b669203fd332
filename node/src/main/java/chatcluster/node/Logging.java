package chatcluster.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import chatcluster.node.config.LogChannel;
import chatcluster.node.config.NodeConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Applies the logging options to Logback (the backend the jar ships; embedding applications keep
 * their own): DEBUG for the node's loggers, the log channel (stdout, stderr, a daily file) and the
 * error log that also gets every WARN and ERROR line. The line pattern stays the one of logback.xml.
 */
final class Logging {
  private static final String CONSOLE = "STDOUT";
  static final int DAILY_FILES_KEPT = 14;

  private Logging() {}

  static void configure(NodeConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (config.debug()) {
      context.getLogger("chatcluster").setLevel(Level.DEBUG);
    }
    Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
    if (!(console instanceof ConsoleAppender<ILoggingEvent> stdout)
        || !(stdout.getEncoder() instanceof PatternLayoutEncoder encoder)) {
      return;
    }
    String pattern = encoder.getPattern();
    if (config.logChannel() == LogChannel.STDERR) {
      ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
      stderr.setTarget("System.err");
      replace(root, console, start(context, stderr, "STDERR", pattern));
    } else if (config.logChannel() == LogChannel.DAILY) {
      Path dir = config.errorLog().toAbsolutePath().getParent();
      RollingFileAppender<ILoggingEvent> daily = new RollingFileAppender<>();
      TimeBasedRollingPolicy<ILoggingEvent> policy = new TimeBasedRollingPolicy<>();
      policy.setContext(context);
      policy.setParent(daily);
      policy.setFileNamePattern(dir.resolve("chatcluster-%d{yyyy-MM-dd}.log").toString());
      policy.setMaxHistory(DAILY_FILES_KEPT);
      policy.start();
      daily.setRollingPolicy(policy);
      replace(root, console, start(context, daily, "DAILY", pattern));
    }
    if (config.errorLog() != null) {
      FileAppender<ILoggingEvent> errors = new FileAppender<>();
      errors.setFile(config.errorLog().toString());
      errors.setAppend(true);
      ThresholdFilter warnAndAbove = new ThresholdFilter();
      warnAndAbove.setLevel(Level.WARN.toString());
      warnAndAbove.start();
      errors.addFilter(warnAndAbove);
      root.addAppender(start(context, errors, "ERROR_LOG", pattern));
    }
  }

  private static <A extends OutputStreamAppender<ILoggingEvent>> A start(LoggerContext context, A appender,
                                                                        String name, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    appender.setContext(context);
    appender.setName(name);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private static void replace(ch.qos.logback.classic.Logger root, Appender<ILoggingEvent> old,
                              Appender<ILoggingEvent> replacement) {
    root.addAppender(replacement);
    root.detachAppender(old);
    old.stop();
  }
}
