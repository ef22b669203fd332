package chatcluster.node.config;

/** A configuration value that cannot be used; the message names the option and where it came from. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  /**
   * The one shape of a bad value: {@code invalid value 'V' for key (ENV, --flag) from SOURCE: CAUSE}.
   *
   * @param shown  the value as it may be printed (secrets masked by the caller)
   * @param source where the value came from: {@code environment X}, {@code flag --x}, a config file, default
   */
  public static ConfigException invalid(ConfigOption option, String shown, String source, String cause) {
    return new ConfigException("invalid value '" + shown + "' for " + option.label() + " from " + source + ": " + cause);
  }
}
