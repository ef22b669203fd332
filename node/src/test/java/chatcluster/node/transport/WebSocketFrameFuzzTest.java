package chatcluster.node.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.RawWebSocket;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The WebSocket frame layer fuzzed on a live node: each try opens a connection, sends a few frames
 * of any kind (every opcode and flag, fragments, invalid UTF-8, payloads around the size limit), then
 * a ping command. The node must answer it or close with a known code within two seconds; and it must
 * keep serving everybody else. 1002 is Netty's close for frames that break RFC 6455 itself.
 */
class WebSocketFrameFuzzTest {
  private static final Set<Integer> CODES = Set.of(1000, 1002, 1003, 1007, 1008, 1009, 4029);
  private static TestNode node;

  @BeforeContainer
  static void start() {
    node = TestNode.start(c -> c.set(ConfigOption.MAX_MESSAGE_SIZE, 2048).set(ConfigOption.RATE_LIMIT, 0));
  }

  @AfterContainer
  static void stop() {
    WsClient other = node.open();
    other.send(new JsonObject().put("type", "ping").put("id", "still-there"));
    other.take("pong");
    node.close();
  }

  record Frame(boolean fin, int rsv, int opcode, byte[] payload) {}

  @Property(tries = 1_000)
  void everyFrameSequenceIsAnsweredOrClosedWithAKnownCode(@ForAll("sequences") List<Frame> frames) throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(1000);
      RawWebSocket.handshake(s, "/ws");
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      try {
        for (Frame f : frames) {
          RawWebSocket.sendFrame(out, f.fin(), (f.rsv() << 4) | f.opcode(), f.payload());
        }
        RawWebSocket.sendFrame(out, true, 0x1, "{\"type\":\"ping\",\"id\":\"probe\"}".getBytes(StandardCharsets.UTF_8));
      } catch (java.io.IOException closedWhileSending) {
        // the node closed first: its close frame is what we read below
      }
      // After a close of our own, the node echoes whatever code we sent: any close answers it.
      boolean weClosed = frames.stream().anyMatch(f -> f.opcode() == 0x8);
      assertTrue(answeredOrClosed(in, weClosed), "no answer and no known close code for " + describe(frames));
    }
  }

  private static boolean answeredOrClosed(InputStream in, boolean weClosed) throws Exception {
    try {
      for (RawWebSocket.Frame f = RawWebSocket.readFrame(in); f != null; f = RawWebSocket.readFrame(in)) {
        if (f.opcode() == 0x8) {
          return weClosed || CODES.contains(f.closeCode());
        }
        String text = new String(f.payload(), StandardCharsets.UTF_8);
        if (text.contains("\"probe\"")) {
          return true; // the probe was answered (pong or error): the connection is in order
        }
      }
      return true; // closed without a frame: only after a close we sent or a broken TCP stream
    } catch (SocketTimeoutException e) {
      return false; // neither an answer nor a close: a hang
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  private static String describe(List<Frame> frames) {
    StringBuilder b = new StringBuilder();
    for (Frame f : frames) {
      b.append(String.format("[fin=%s rsv=%d op=%d len=%d] ", f.fin(), f.rsv(), f.opcode(), f.payload().length));
    }
    return b.toString();
  }

  @Provide
  Arbitrary<List<Frame>> sequences() {
    Arbitrary<byte[]> payload = Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        Arbitraries.of("{\"type\":\"ping\"}", "{\"type\":\"subscribe\",\"channel\":\"f\"}", "{\"type\":",
            "\u00e9\u6f22", "").map(t -> t.getBytes(StandardCharsets.UTF_8)),
        Arbitraries.of(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xC3},
            new byte[2040], new byte[2100], new byte[126], new byte[130]));
    Arbitrary<Frame> frame = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(0, 0, 0, 1, 4),
        Arbitraries.of(0x0, 0x1, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB), payload).as(Frame::new);
    return frame.list().ofMinSize(1).ofMaxSize(5);
  }
}
