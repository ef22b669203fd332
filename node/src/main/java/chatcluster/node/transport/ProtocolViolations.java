package chatcluster.node.transport;

import chatcluster.node.ops.NodeMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a frame the WebSocket decoder cannot take with its RFC 6455 close code before the TCP
 * connection ends: 1002 for a protocol violation (an unmasked client frame, reserved bits without an
 * extension, an unknown opcode, a control frame over 125 bytes, a negative length), 1009 for a frame
 * over the decoder's hard cap. Sits after the decoder (which stops reading the connection at the
 * violation) and the encoder; without it the connection would be dropped with nothing said.
 *
 * <p>Threading: the connection's event loop (a Netty handler of its pipeline).
 */
final class ProtocolViolations extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ProtocolViolations.class);
  static final String NAME = "chatcluster-protocol-violations";

  private final String connectionId;
  private final NodeMetrics metrics;
  private boolean closing;

  ProtocolViolations(String connectionId, NodeMetrics metrics) {
    this.connectionId = connectionId;
    this.metrics = metrics;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException violation)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (closing) {
      return;
    }
    closing = true;
    metrics.malformedFrames.increment();
    WebSocketCloseStatus status = violation.closeStatus() != null ? violation.closeStatus()
        : WebSocketCloseStatus.PROTOCOL_ERROR;
    String reason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code() ? "frame too large"
        : "protocol error";
    log.debug("connection {}: {} ({}), closing with {}", connectionId, reason, violation.getMessage(), status.code());
    if (ctx.channel().isActive()) {
      // Not handed on: Vert.x would drop the connection before the close frame is out. Closed from
      // here, below Vert.x: RFC 6455 fails the connection (no closing handshake to wait for).
      ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(f -> ctx.close());
    }
  }
}
