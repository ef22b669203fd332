package chatcluster.node.admin;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The questions one node's console asks another over the broker ({@code Broker.askNode}), and
 * their answers: JSON objects, {@code {"q":<kind>, ...}} and the answer, or
 * {@code {"error":<code>,"message":...}} when the question could not be answered.
 */
final class Questions {
  static final String NODE = "node";
  static final String CHANNELS = "channels";
  static final String CHANNEL = "channel";
  static final String USER = "user";
  static final String DISCONNECT = "disconnect";
  static final String UNSUBSCRIBE = "unsubscribe";
  static final String DRAIN = "drain";

  /** An operator's disconnect closes with 4003 unless told otherwise: terminal, the client does not come back. */
  static final int DEFAULT_CLOSE_CODE = 4003;
  static final String DEFAULT_REASON = "disconnected by an operator";

  private Questions() {}

  static JsonObject ask(String kind) {
    return new JsonObject().put("q", kind);
  }

  static String kind(JsonObject q) {
    return q.getString("q", "");
  }

  static Buffer encode(JsonObject json) {
    return json.toBuffer();
  }

  static JsonObject decode(Buffer body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ChatException.badRequest("a question or answer is not a JSON object");
    }
  }

  static JsonObject failure(Throwable e) {
    ChatException ce = e instanceof ChatException c ? c : new ChatException(ErrorCode.INTERNAL, "internal error");
    return new JsonObject().put("error", ce.code().wire()).put("message", ce.getMessage());
  }

  /** The answer, or the failure it reports as an exception. */
  static JsonObject answerOrThrow(JsonObject answer) {
    String error = answer.getString("error");
    if (error != null) {
      ErrorCode code = ErrorCode.INTERNAL;
      for (ErrorCode c : ErrorCode.values()) {
        if (c.wire().equals(error)) {
          code = c;
        }
      }
      throw new ChatException(code, answer.getString("message", "error"));
    }
    return answer;
  }
}
