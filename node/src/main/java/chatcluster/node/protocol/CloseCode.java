package chatcluster.node.protocol;

/**
 * The contract's WebSocket close codes. A terminal code tells the client not to reconnect on its own;
 * after any other code it reconnects with backoff (at once, elsewhere, after {@link #DRAINING}).
 */
public enum CloseCode {
  NORMAL(1000, false),
  BINARY_FRAME(1003, true),
  INVALID_UTF8(1007, false),
  POLICY(1008, true),
  TOO_LARGE(1009, false),
  INTERNAL(1011, false),
  DRAINING(1012, false),
  NODE_FULL(1013, false),
  UNAUTHORIZED(4001, true),
  FORBIDDEN(4003, true),
  RATE_LIMITED(4029, false);

  private final short code;
  private final boolean terminal;

  CloseCode(int code, boolean terminal) {
    this.code = (short) code;
    this.terminal = terminal;
  }

  public short code() {
    return code;
  }

  public boolean terminal() {
    return terminal;
  }
}
