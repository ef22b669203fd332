package chatcluster.node.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The relay socket's edges: a backend that half-closes after writing, a socket path in no directory. */
class RelaySocketEdgesTest {

  @Test
  void aRequestFollowedByAHalfCloseIsStillApplied() throws Exception {
    Path socket = Files.createTempDirectory("relay-edge").resolve("relay.sock");
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RELAY_SOCKET, socket.toString()))) {
      WsClient subscriber = node.open();
      subscriber.ok(new JsonObject().put("type", "subscribe").put("channel", "half"));
      try (SocketChannel backend = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        backend.connect(UnixDomainSocketAddress.of(socket));
        backend.write(ByteBuffer.wrap("{\"action\":\"sendToChannel\",\"channel\":\"half\",\"data\":\"closed after\"}"
            .getBytes(StandardCharsets.UTF_8)));
        backend.shutdownOutput(); // what `printf … | nc -U` does
        assertEquals("closed after", subscriber.take("message").getString("data"));
      }
    }
  }

  @Test
  void aSocketInADirectoryThatDoesNotExistStopsTheStartWithAClearError() throws Exception {
    Path missing = Files.createTempDirectory("relay-edge").resolve("no-such-dir").resolve("relay.sock");
    AssertionError refused = assertThrows(AssertionError.class,
        () -> TestNode.start(c -> c.set(ConfigOption.RELAY_SOCKET, missing.toString())));
    assertTrue(String.valueOf(refused.getMessage()).contains("does not exist"), refused.getMessage());
    assertTrue(Files.notExists(missing.getParent()), "the directory was not created");
  }
}
