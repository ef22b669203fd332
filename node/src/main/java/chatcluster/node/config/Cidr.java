package chatcluster.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code ::1/128}) or a single address. */
public record Cidr(byte[] network, int prefixLength) {

  /** Parses {@code address[/bits]}; literal addresses only, never a DNS lookup. */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(address);
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + s + "': prefix length is not a number");
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("'" + s + "': prefix length out of range");
      }
    }
    return new Cidr(bytes, bits);
  }

  /** Whether {@code address} (a literal, as the node reads peers) lies in this network. */
  public boolean contains(String address) {
    byte[] a;
    try {
      a = literal(address);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (a.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  private static byte[] literal(String address) {
    if (address.isEmpty() || !(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.'
        || Character.isDigit(c)))) {
      throw new IllegalArgumentException("'" + address + "' is not an IP address");
    }
    try {
      return InetAddress.getByName(address).getAddress(); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + address + "' is not an IP address");
    }
  }
}
