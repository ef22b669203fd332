package chatcluster.node.protocol;

/** A frame that could not be decoded into a command; carries the id when the frame had a usable one. */
public final class InvalidFrameException extends Exception {
  private final Object id;
  private final ErrorCode code;

  public InvalidFrameException(Object id, ErrorCode code, String message) {
    super(message, null, false, false);
    this.id = id;
    this.code = code;
  }

  public Object id() {
    return id;
  }

  public ErrorCode code() {
    return code;
  }
}
