package chatcluster.node.protocol;

import java.util.regex.Pattern;

/** Frames as debug logs show them: credentials masked, long frames cut. */
public final class FrameLog {
  private static final Pattern SECRET = Pattern.compile(
      "(\"(?:token|authorization|password|secret|api[_-]?key)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX = 512;

  private FrameLog() {}

  public static String masked(String frame) {
    String m = SECRET.matcher(frame).replaceAll("$1***\"");
    return m.length() <= MAX ? m : m.substring(0, MAX) + "… (" + frame.length() + " chars)";
  }
}
