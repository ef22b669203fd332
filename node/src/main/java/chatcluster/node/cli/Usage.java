package chatcluster.node.cli;

import chatcluster.node.config.ConfigOption;

/** The node jar's {@code --help} text, generated from {@link ConfigOption}: every option, every spelling. */
public final class Usage {
  private static final String JAR = "java -jar chatcluster-node.jar";

  private Usage() {}

  public static String text() {
    StringBuilder out = new StringBuilder()
        .append("Usage: ").append(JAR).append(" [--config FILE] [--option VALUE | --option=VALUE ...]\n")
        .append("       ").append(JAR).append(" token --secret SECRET --user USER [--device D] [--channels 'a,p-*'] [--ttl 1h]\n")
        .append("       ").append(JAR).append(" admin nodes|channels|channel NAME|user ID|disconnect|publish|drain NODE"
            + " [--url URL] [--token T] [--json]\n")
        .append("       ").append(JAR).append(" --version | --help\n\n")
        .append("Starts a ChatCluster node. Every option is a YAML key in the --config file, an environment\n")
        .append("variable and a flag; precedence, lowest to highest: default, file, environment, flag.\n")
        .append("A boolean flag alone means true. Durations are seconds. A bad value exits with status 2.\n")
        .append("Channels (presence, history, limits) are declared in the file: see config/example.yaml.\n\n")
        .append("Options:\n");
    for (ConfigOption o : ConfigOption.values()) {
      out.append("  ").append(o.flag()).append(' ').append(o.type() == ConfigOption.Type.BOOLEAN ? "[true|false]" : "VALUE")
          .append("\n      env ").append(String.join(" or ", envNames(o)))
          .append(", yaml ").append(o.key())
          .append(", default ").append(o.defaultValue().isEmpty() ? "(none)" : o.defaultValue())
          .append("\n      ").append(o.description()).append('\n');
    }
    out.append("""

        Subcommand token: prints a development JWT (HS256) that a node with the same
        WEBSOCKET_JWT_SECRET accepts. --secret defaults to $WEBSOCKET_JWT_SECRET; --ttl takes
        s, m, h or d (default 1h); --channels lists the private channels or prefix* patterns it grants.

        Subcommand admin: the operations console's API (a node with ADMIN_TOKEN) from the command
        line; --token defaults to $ADMIN_TOKEN. 'admin --help' lists its commands.
        """);
    return out.toString();
  }

  private static java.util.List<String> envNames(ConfigOption o) {
    java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(o.env()));
    names.addAll(o.envAliases());
    return names;
  }
}
