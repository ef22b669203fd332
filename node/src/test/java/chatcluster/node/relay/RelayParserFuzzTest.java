package chatcluster.node.relay;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.protocol.ChatException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The backend relay's parser fuzzed: the socket framing takes any bytes in any chunks without
 * failing, and every request body it yields is parsed into actions or refused with a contract code.
 */
class RelayParserFuzzTest {

  @Property(tries = 100_000)
  void anyBytesInAnyChunksAreFramedAndEveryRequestParsedOrRefused(@ForAll("streams") List<byte[]> chunks) {
    SocketFraming framing = new SocketFraming();
    int total = 0;
    for (byte[] chunk : chunks) {
      framing.append(Buffer.buffer(chunk));
      total += chunk.length;
      for (int guard = 0; guard < 1000; guard++) {
        SocketFraming.Scan scan = framing.scan(guard % 2 == 1);
        if (scan != SocketFraming.Scan.COMPLETE) {
          break;
        }
        SocketFraming.Request request = framing.take();
        try {
          assertNotNull(RelayService.parse(request.body()));
        } catch (ChatException refused) {
          assertNotNull(refused.code());
        }
      }
      assertTrue(framing.buffered() <= total, "never holds more than it was given");
    }
  }

  @Provide
  Arbitrary<List<byte[]>> streams() {
    Arbitrary<byte[]> json = Arbitraries.of(
        "{\"action\":\"sendToChannel\",\"channel\":\"c\",\"data\":1}\n", "{\"action\":\"multicast\",\"data\":{}}",
        "[{\"action\":\"subscribe\",\"device\":\"d\",\"channel\":\"c\"}]\n", "{\"action\":", "\"}", "{}{}",
        "{\"action\":\"x\"}", "{\"a\":\"\\\"}\"}", "   \n", "{\"data\":[[[[[[[[[[", "]]]]]]]]]]}\n")
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return Arbitraries.oneOf(json, noise).list().ofMaxSize(8);
  }
}
