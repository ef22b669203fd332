package chatcluster.node.protocol;

/** The contract's error codes (PROTOCOL.md section 4), with their wire strings. */
public enum ErrorCode {
  BAD_REQUEST("bad_request"),
  UNKNOWN_TYPE("unknown_type"),
  UNAUTHORIZED("unauthorized"),
  FORBIDDEN("forbidden"),
  NOT_FOUND("not_found"),
  CHANNEL_FULL("channel_full"),
  NOT_SUBSCRIBED("not_subscribed"),
  RATE_LIMITED("rate_limited"),
  TOO_LARGE("too_large"),
  UPSTREAM_ERROR("upstream_error"),
  TIMEOUT("timeout"),
  UNAVAILABLE("unavailable"),
  INTERNAL("internal");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
