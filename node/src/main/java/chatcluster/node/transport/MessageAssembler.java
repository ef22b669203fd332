package chatcluster.node.transport;

import chatcluster.node.protocol.CloseCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Puts WebSocket messages together from their frames, applying every limit while they arrive: a
 * message whose running size passes {@code maxMessageSize} is refused at once (1009), one of more than
 * {@link #MAX_FRAGMENTS} fragments too; text that is not valid UTF-8 is refused (1007); more than
 * {@link #MAX_PINGS_PER_SECOND} pings a second are a flood (4029). A message the sink does not
 * {@link Sink#admit() admit} is skipped with its continuation frames, never decoded.
 *
 * <p>Threading: confined to its connection's event loop.
 */
public final class MessageAssembler {
  /** Fragments one message may come in. */
  public static final int MAX_FRAGMENTS = 1024;
  /** Pings a client may send per second (Vert.x answers each with a pong). */
  public static final int MAX_PINGS_PER_SECOND = 50;
  private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
      .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

  /** Where whole messages and refusals go. */
  public interface Sink {
    /** Whether to take the message that starts now (rate limits). */
    default boolean admit() {
      return true;
    }

    void text(String text);

    /** A whole binary message; only called when binary messages are accepted. */
    default void binary(Buffer data) {
    }

    /** A limit was passed: the connection should close with {@code code}. */
    void refuse(CloseCode code, String reason);
  }

  private final int maxMessageSize;
  private final int maxFragments;
  private final boolean acceptBinary;
  private final Sink sink;
  /** The message being put together, or null between messages (or while skipping one). */
  private Buffer message;
  private boolean binary;
  private int fragments;
  private long pingSecond;
  private int pings;

  /** With the node's fragment cap, {@link #MAX_FRAGMENTS}. */
  public MessageAssembler(int maxMessageSize, boolean acceptBinary, Sink sink) {
    this(maxMessageSize, MAX_FRAGMENTS, acceptBinary, sink);
  }

  /** @param acceptBinary false: a binary message is refused with 1003 (the chat protocol is text) */
  public MessageAssembler(int maxMessageSize, int maxFragments, boolean acceptBinary, Sink sink) {
    this.maxMessageSize = maxMessageSize;
    this.maxFragments = maxFragments;
    this.acceptBinary = acceptBinary;
    this.sink = sink;
  }

  public void frame(WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT, BINARY -> {
        if (frame.type() == io.vertx.core.http.WebSocketFrameType.BINARY && !acceptBinary) {
          sink.refuse(CloseCode.BINARY_FRAME, "binary frames are not supported");
          return;
        }
        if (!sink.admit()) {
          message = null;
          return;
        }
        message = Buffer.buffer();
        binary = frame.type() == io.vertx.core.http.WebSocketFrameType.BINARY;
        fragments = 0;
        append(frame.binaryData(), frame.isFinal());
      }
      case CONTINUATION -> {
        if (message != null) {
          append(frame.binaryData(), frame.isFinal());
        }
      }
      case PING -> countPing();
      default -> { } // pong and close: the connection handles them
    }
  }

  /** Forgets a message in progress (the connection closed). */
  public void reset() {
    message = null;
  }

  private void append(Buffer data, boolean last) {
    if (message.length() + data.length() > maxMessageSize) {
      message = null;
      sink.refuse(CloseCode.TOO_LARGE, "message larger than " + maxMessageSize + " bytes");
      return;
    }
    if (++fragments > maxFragments) {
      message = null;
      sink.refuse(CloseCode.TOO_LARGE, "message in more than " + maxFragments + " fragments");
      return;
    }
    message.appendBuffer(data);
    if (!last) {
      return;
    }
    Buffer whole = message;
    message = null;
    if (binary) {
      sink.binary(whole);
      return;
    }
    String text;
    try {
      text = UTF8.get().decode(ByteBuffer.wrap(whole.getBytes())).toString();
    } catch (CharacterCodingException e) {
      sink.refuse(CloseCode.INVALID_UTF8, "text frame is not valid UTF-8");
      return;
    }
    sink.text(text);
  }

  private void countPing() {
    long second = System.nanoTime() / 1_000_000_000L;
    if (second != pingSecond) {
      pingSecond = second;
      pings = 0;
    }
    if (++pings > MAX_PINGS_PER_SECOND) {
      sink.refuse(CloseCode.RATE_LIMITED, "ping flood");
    }
  }
}
