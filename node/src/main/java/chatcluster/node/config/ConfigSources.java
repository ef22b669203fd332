package chatcluster.node.config;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where each option's value came from ({@code environment WEBSOCKET_PORT}, {@code flag --port}, a
 * config file, {@code default}), so that a problem found after validation, such as a port already in
 * use, is reported like any invalid value.
 */
public final class ConfigSources {
  private final Map<ConfigOption, String> sources;
  private final Map<ConfigOption, String> shown;

  ConfigSources(Map<ConfigOption, String> sources, Map<ConfigOption, String> shown) {
    this.sources = sources.isEmpty() ? new EnumMap<>(ConfigOption.class) : new EnumMap<>(sources);
    this.shown = shown.isEmpty() ? new EnumMap<>(ConfigOption.class) : new EnumMap<>(shown);
  }

  public String of(ConfigOption option) {
    return sources.getOrDefault(option, "default");
  }

  /** The option's value as it may be printed: secrets masked. */
  public String shown(ConfigOption option) {
    return shown.getOrDefault(option, option.defaultValue());
  }

  /** A problem with the option's value, found after validation (e.g. the port is taken). */
  public ConfigException problem(ConfigOption option, String cause) {
    return ConfigException.invalid(option, shown(option), of(option), cause);
  }
}
