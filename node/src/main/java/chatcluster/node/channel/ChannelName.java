package chatcluster.node.channel;

import java.util.regex.Pattern;

/** Channel name rules: 1 to 128 characters of {@code A-Z a-z 0-9 _ - : . @ =}. */
public final class ChannelName {
  public static final int MAX_LENGTH = 128;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_\\-:.@=]{1,128}");

  private ChannelName() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** A declaration pattern: a valid name, or a valid prefix followed by one {@code *}. */
  public static boolean isValidPattern(String pattern) {
    if (pattern == null) {
      return false;
    }
    if (pattern.endsWith("*")) {
      String prefix = pattern.substring(0, pattern.length() - 1);
      return prefix.isEmpty() || isValid(prefix);
    }
    return isValid(pattern);
  }

  /** Whether {@code name} matches a declaration pattern (exact, or prefix when it ends in {@code *}). */
  public static boolean matches(String pattern, String name) {
    return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(name);
  }
}
