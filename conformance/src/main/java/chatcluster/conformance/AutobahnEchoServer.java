package chatcluster.conformance;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.transport.MessageAssembler;
import chatcluster.node.transport.WebSocketEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * An echo server on the node's own WebSocket transport, for Autobahn|Testsuite: the node's server
 * options (frame limits, no compression) and its message assembly ({@link MessageAssembler}: strict
 * UTF-8, size and fragment limits, ping floods), echoing text and binary messages back. Two limits
 * are raised for the suite's case 9, which measures large messages: the size to 20 MiB (it sends up
 * to 16 MiB) and the fragments per message to 1,048,576 (9.3 and 9.4 send 4 MiB in fragments as small
 * as 64 bytes); a node keeps its own (64 KiB, 1,024 fragments), and closes such a message with 1009.
 */
public final class AutobahnEchoServer {
  private static final int MAX_MESSAGE = 20 * 1024 * 1024;
  private static final int MAX_FRAGMENTS = 1 << 20;

  private AutobahnEchoServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("autobahn.port", 18701);
    NodeConfig config = NodeConfig.builder().set(ConfigOption.HOST, "127.0.0.1").set(ConfigOption.PORT, port)
        .set(ConfigOption.MAX_MESSAGE_SIZE, MAX_MESSAGE).build();
    HttpServerOptions options = WebSocketEndpoint.serverOptions(config);
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer(options)
        .webSocketHandshakeHandler(hs -> hs.accept().onSuccess(AutobahnEchoServer::echo))
        .requestHandler(req -> req.response().setStatusCode(404).end())
        .listen().await();
  }

  private static void echo(ServerWebSocket ws) {
    MessageAssembler assembler = new MessageAssembler(MAX_MESSAGE, MAX_FRAGMENTS, true, new MessageAssembler.Sink() {
      @Override
      public void text(String text) {
        ws.writeTextMessage(text);
      }

      @Override
      public void binary(Buffer data) {
        ws.writeBinaryMessage(data);
      }

      @Override
      public void refuse(CloseCode code, String reason) {
        ws.close(code.code(), reason);
      }
    });
    ws.frameHandler(assembler::frame);
  }
}
