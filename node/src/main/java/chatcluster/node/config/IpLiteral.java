package chatcluster.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Whether a string is an IPv4 or IPv6 address written out, without ever asking DNS. */
final class IpLiteral {
  private IpLiteral() {}

  static boolean isValid(String s) {
    if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    if (!s.contains(":") || !s.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      // With a ':' the string is parsed as an IPv6 literal: no lookup.
      InetAddress.getByName(s);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
