package chatcluster.node.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a stream of backend requests: each is one JSON object, bare or followed by a newline. A
 * request that does not start with '{' runs to the next newline (and is then malformed). Tracks
 * strings and escapes, so braces inside strings do not count.
 */
final class SocketFraming {
  /** A request found in the stream; {@code newline} tells how it must be answered. */
  record Request(Buffer body, boolean newline) {}

  /** The outcome of a scan: a request, more bytes needed, or a request that may still get a newline. */
  enum Scan { COMPLETE, NEED_MORE, AWAIT_TERMINATOR }

  private Buffer pending = Buffer.buffer();
  private Request found;

  void append(Buffer data) {
    pending = pending.length() == 0 ? data.copy() : pending.appendBuffer(data);
  }

  int buffered() {
    return pending.length();
  }

  Request take() {
    Request r = found;
    found = null;
    return r;
  }

  /**
   * Looks for the next request. With {@code endOfWait} true a request at the very end of the buffer
   * is taken as bare (the short wait for its newline is over).
   */
  Scan scan(boolean endOfWait) {
    int start = 0;
    while (start < pending.length() && isSpace(pending.getByte(start))) {
      start++;
    }
    if (start == pending.length()) {
      pending = Buffer.buffer();
      return Scan.NEED_MORE;
    }
    int end;
    if (pending.getByte(start) != '{') {
      int nl = indexOf('\n', start);
      if (nl < 0) {
        if (!endOfWait) {
          return Scan.AWAIT_TERMINATOR;
        }
        return finish(start, pending.length(), pending.length(), false);
      }
      return finish(start, nl, nl + 1, true);
    }
    end = objectEnd(start);
    if (end < 0) {
      return Scan.NEED_MORE;
    }
    int next = end;
    if (next < pending.length() && pending.getByte(next) == '\r') {
      next++;
    }
    if (next < pending.length()) {
      boolean nl = pending.getByte(next) == '\n';
      return finish(start, end, nl ? next + 1 : end, nl);
    }
    if (!endOfWait) {
      return Scan.AWAIT_TERMINATOR;
    }
    return finish(start, end, end, false);
  }

  private Scan finish(int start, int end, int consumed, boolean newline) {
    found = new Request(pending.getBuffer(start, end), newline);
    pending = pending.getBuffer(consumed, pending.length());
    return Scan.COMPLETE;
  }

  /** Index just past the object starting at {@code start}, or -1 when it is not complete yet. */
  private int objectEnd(int start) {
    int depth = 0;
    boolean inString = false;
    boolean escape = false;
    for (int i = start; i < pending.length(); i++) {
      byte b = pending.getByte(i);
      if (inString) {
        if (escape) {
          escape = false;
        } else if (b == '\\') {
          escape = true;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
      } else if (b == '}' || b == ']') {
        if (--depth == 0) {
          return i + 1;
        }
      }
    }
    return -1;
  }

  private int indexOf(char c, int from) {
    for (int i = from; i < pending.length(); i++) {
      if (pending.getByte(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }
}
