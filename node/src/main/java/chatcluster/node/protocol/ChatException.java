package chatcluster.node.protocol;

/**
 * The one failure type of the node's Futures: an {@link ErrorCode} the client sees and a message for it.
 * Anything else that fails a command is reported as {@code internal} and logged once.
 */
public final class ChatException extends RuntimeException {
  private final ErrorCode code;

  public ChatException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ChatException badRequest(String message) {
    return new ChatException(ErrorCode.BAD_REQUEST, message);
  }

  public static ChatException forbidden(String message) {
    return new ChatException(ErrorCode.FORBIDDEN, message);
  }
}
