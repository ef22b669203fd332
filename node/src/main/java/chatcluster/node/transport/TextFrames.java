package chatcluster.node.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Text frames from already-encoded bytes. Vert.x's public API makes text frames from Strings only,
 * which would re-encode a fan-out message once per receiver; this frames the shared bytes instead (a
 * slice per write, the bytes are not copied). Isolated here because it uses a Vert.x internal
 * class, pinned with the Vert.x version.
 */
public final class TextFrames {
  private TextFrames() {}

  public static WebSocketFrame of(Buffer utf8Json) {
    // getByteBuf() is a fresh slice over Vert.x's heap buffer, whose release is a no-op: each write
    // gets its own read index over the same bytes.
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, ((BufferInternal) utf8Json).getByteBuf(), true);
  }
}
