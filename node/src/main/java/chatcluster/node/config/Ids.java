package chatcluster.node.config;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random identifiers for nodes and sessions: unguessable (a session id is an anonymous client's
 * identity), and cheap, since one is drawn per connection on the event loop. The bytes come from one
 * call to a deterministic random bit generator seeded by the system (no device read per id); each byte
 * gives a symbol through its low six bits, the two values past the alphabet being drawn again, so
 * every symbol is equally likely.
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = generator();

  private Ids() {}

  public static String random(int length) {
    char[] out = new char[length];
    byte[] bytes = new byte[length + length / 4 + 2];
    int filled = 0;
    while (filled < length) {
      RANDOM.nextBytes(bytes);
      for (int i = 0; i < bytes.length && filled < length; i++) {
        int symbol = bytes[i] & 0x3F;
        if (symbol < ALPHABET.length) {
          out[filled++] = ALPHABET[symbol];
        }
      }
    }
    return new String(out);
  }

  /** Seeded here, once, when the class loads: not by the first connections, on their event loops. */
  private static SecureRandom generator() {
    SecureRandom r;
    try {
      r = SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      r = new SecureRandom();
    }
    r.nextBytes(new byte[1]);
    return r;
  }
}
