package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** WebSocket pings every pingInterval; a connection silent for two intervals is closed. */
class HeartbeatTest {

  @Test
  void silentConnectionIsClosedAfterTwoIntervalsWhileAnAnsweringOneStays() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.PING_INTERVAL, "0.3"))) {
      WsClient answering = node.open(); // Vert.x answers pings with pongs, like browsers do
      try (Socket silent = new Socket("127.0.0.1", node.port())) {
        silent.setSoTimeout(5000);
        RawWebSocket.handshake(silent, "/ws");
        long start = System.nanoTime();
        InputStream in = silent.getInputStream();
        int pings = 0;
        int code;
        while (true) {
          RawWebSocket.Frame f = RawWebSocket.readFrame(in);
          if (f == null) {
            code = -1; // the connection ended without a close frame
            break;
          }
          if (f.opcode() == 0x9) {
            pings++;
          } else if (f.opcode() == 0x8) {
            code = f.closeCode();
            break;
          }
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1000, code);
        assertTrue(pings >= 1, "the server pinged before giving up");
        assertTrue(elapsedMs >= 500 && elapsedMs < 3000, "closed after " + elapsedMs + " ms");
      }
      answering.assertNone(f -> false, Duration.ofMillis(900));
      assertTrue(!answering.isClosed(), "a client that answers pings stays connected");
    }
  }
}
