package chatcluster.node.cli;

import chatcluster.node.auth.JwtVerifiers;
import chatcluster.node.config.ConfigException;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code token --secret S --user ann --device d1 --channels 'private-*' --ttl 1h}: mints an HS256 JWT
 * with the claims a node reads ({@code sub}, {@code device}, {@code channels}, {@code exp}), for
 * trying authentication without writing code. For development: production tokens come from your
 * application.
 */
public final class TokenCommand {
  private static final java.util.Set<String> FLAGS = java.util.Set.of("--secret", "--user", "--device", "--channels", "--ttl");

  private TokenCommand() {}

  /** The token for these arguments (those after {@code token}); {@code env} supplies the default secret. */
  public static String mint(String[] args, Map<String, String> env) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value = null;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!FLAGS.contains(name)) {
        throw new ConfigException("token: unknown argument '" + name + "' (flags: " + String.join(", ", FLAGS.stream().sorted().toList()) + ")");
      }
      if (value == null) {
        if (++i >= args.length) {
          throw new ConfigException("token: flag " + name + " needs a value");
        }
        value = args[i];
      }
      flags.put(name, value);
    }
    String secret = flags.getOrDefault("--secret", env.get(ConfigOption.JWT_SECRET.env()));
    if (secret == null || secret.isEmpty()) {
      throw new ConfigException("token: give --secret (or set " + ConfigOption.JWT_SECRET.env() + ")");
    }
    if (secret.length() < NodeConfig.MIN_JWT_SECRET_LENGTH) {
      throw new ConfigException("token: --secret must be at least " + NodeConfig.MIN_JWT_SECRET_LENGTH
          + " characters, as the node requires of " + ConfigOption.JWT_SECRET.env());
    }
    String user = flags.get("--user");
    if (user == null || user.isEmpty()) {
      throw new ConfigException("token: give --user (the JWT's sub claim)");
    }
    JsonObject claims = new JsonObject().put("sub", user);
    if (flags.containsKey("--device")) {
      claims.put("device", flags.get("--device"));
    }
    if (flags.containsKey("--channels")) {
      claims.put("channels", new JsonArray(Arrays.stream(flags.get("--channels").split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList()));
    }
    long ttl = seconds(flags.getOrDefault("--ttl", "1h"));
    if (ttl > Integer.MAX_VALUE) {
      throw new ConfigException("token: --ttl is longer than 68 years");
    }
    Vertx vertx = Vertx.vertx();
    try {
      return JwtVerifiers.hs256(vertx, secret).generateToken(claims, new JWTOptions().setExpiresInSeconds((int) ttl));
    } finally {
      vertx.close();
    }
  }

  /** {@code 90}, {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}. */
  static long seconds(String ttl) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([smhd]?)").matcher(ttl.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException("token: --ttl '" + ttl + "' is not a duration such as 90s, 15m, 1h or 7d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> n * 60;
      case "h" -> n * 3600;
      case "d" -> n * 86_400;
      default -> n;
    };
  }
}
