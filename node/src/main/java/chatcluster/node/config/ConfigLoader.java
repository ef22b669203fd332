package chatcluster.node.config;

import chatcluster.node.channel.ChannelOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds a {@link NodeConfig} from, in increasing precedence: the defaults, the YAML file given by
 * {@code --config FILE}, the environment variables, and the command-line flags.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static NodeConfig load(String[] args, Map<String, String> env) {
    Map<ConfigOption, String> flags = new java.util.EnumMap<>(ConfigOption.class);
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + arg + "' (options are --name value or --name=value)");
      }
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--config")) {
        if (value == null) {
          value = requireValue(args, ++i, name);
        }
        file = Path.of(value);
        continue;
      }
      ConfigOption option = ConfigOption.byFlag(name)
          .orElseThrow(() -> new ConfigException("unknown flag '" + arg.split("=", 2)[0] + "'"));
      if (value == null) {
        boolean nextIsValue = i + 1 < args.length && !args[i + 1].startsWith("--");
        if (option.type() == ConfigOption.Type.BOOLEAN && !nextIsValue) {
          value = "true";
        } else {
          value = requireValue(args, ++i, name);
        }
      }
      flags.put(option, value);
    }

    NodeConfig.Builder builder = NodeConfig.builder();
    if (file != null) {
      applyFile(builder, file);
    }
    for (ConfigOption option : ConfigOption.values()) {
      List<String> names = new ArrayList<>(List.of(option.env()));
      names.addAll(option.envAliases());
      names.stream().filter(n -> env.get(n) != null && !env.get(n).isEmpty()).findFirst()
          .ifPresent(n -> builder.set(option, env.get(n), "environment " + n));
    }
    flags.forEach((option, v) -> builder.set(option, v, "flag " + option.flag()));
    return builder.build();
  }

  private static String requireValue(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new ConfigException("flag " + name + " needs a value");
    }
    return args[i];
  }

  static void applyFile(NodeConfig.Builder builder, Path file) {
    Object root;
    try {
      String text = Files.readString(file);
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " (--config) cannot be read: " + IoCause.of(e));
    } catch (YAMLException e) {
      throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null) {
      return;
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new ConfigException("config file " + file + ": the top level must be a mapping of options");
    }
    JsonObject json = new JsonObject(stringKeys(map));
    String from = "config file " + file;
    for (String key : json.fieldNames()) {
      Object value = json.getValue(key);
      if (key.equals("channels")) {
        applyChannels(builder, value, from);
      } else if (value instanceof JsonObject section) {
        for (String sub : section.fieldNames()) {
          if (key.equals("pusher") && sub.equals("apps")) {
            applyPusherApps(builder, section.getValue(sub), from);
          } else {
            setOption(builder, key + "." + sub, section.getValue(sub), from);
          }
        }
      } else {
        setOption(builder, key, value, from);
      }
    }
  }

  private static void setOption(NodeConfig.Builder builder, String key, Object value, String from) {
    ConfigOption option = ConfigOption.byKey(key)
        .orElseThrow(() -> new ConfigException(from + ": unknown option '" + key + "'"));
    if (value instanceof io.vertx.core.json.JsonArray array) {
      value = array.getList();
    }
    if (value != null) {
      builder.set(option, value, from);
    }
  }

  private static void applyChannels(NodeConfig.Builder builder, Object value, String from) {
    if (!(value instanceof io.vertx.core.json.JsonArray list)) {
      throw new ConfigException(from + ": 'channels' must be a list of channel declarations");
    }
    for (int i = 0; i < list.size(); i++) {
      String where = from + ": channels[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(where + ": must be a mapping with a 'name'");
      }
      Object name = entry.getValue("name");
      if (!(name instanceof String pattern)) {
        throw new ConfigException(where + ".name: missing or not a string");
      }
      try {
        builder.channel(pattern, ChannelOptions.fromJson(entry, where));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
  }

  private static void applyPusherApps(NodeConfig.Builder builder, Object value, String from) {
    if (!(value instanceof io.vertx.core.json.JsonArray list)) {
      throw new ConfigException(from + ": 'pusher.apps' must be a list of apps (id, key, secret, ...)");
    }
    for (int i = 0; i < list.size(); i++) {
      String where = from + ": pusher.apps[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(where + ": must be a mapping with id, key and secret");
      }
      try {
        builder.pusherApp(PusherApp.fromJson(entry, where));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    map.forEach((k, v) -> {
      Object value = v;
      if (v instanceof Map<?, ?> m) {
        value = stringKeys(m);
      } else if (v instanceof List<?> l) {
        List<Object> items = new ArrayList<>();
        for (Object item : l) {
          items.add(item instanceof Map<?, ?> m ? stringKeys(m) : item);
        }
        value = items;
      }
      out.put(String.valueOf(k), value);
    });
    return out;
  }
}
