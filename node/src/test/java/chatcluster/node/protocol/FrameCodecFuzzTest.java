package chatcluster.node.protocol;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The JSON frame decoder fuzzed: whatever a client sends, decoding either yields a frame or fails with
 * an {@link InvalidFrameException} carrying a contract code, never anything else.
 */
class FrameCodecFuzzTest {

  @Property(tries = 50_000)
  void arbitraryTextIsDecodedOrRefusedWithACode(@ForAll("anyText") String text) {
    decodeOrRefuse(text);
  }

  @Property(tries = 50_000)
  void framesThatLookRightAreDecodedOrRefusedWithACode(@ForAll("almostFrames") String text) {
    decodeOrRefuse(text);
  }

  private static void decodeOrRefuse(String text) {
    try {
      assertNotNull(FrameCodec.decode(text));
    } catch (InvalidFrameException e) {
      assertNotNull(e.code());
      assertNotNull(e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().all().ofMaxLength(300);
  }

  /** JSON objects made of the contract's field names with values of every JSON kind. */
  @Provide
  Arbitrary<String> almostFrames() {
    Arbitrary<String> key = Arbitraries.of("type", "id", "channel", "data", "since", "offset", "epoch", "limit",
        "to", "user", "device", "name", "path", "method", "interval", "headers", "body", "task", "token", "x");
    Arbitrary<String> value = Arbitraries.oneOf(
        Arbitraries.of("\"subscribe\"", "\"publish\"", "\"history\"", "\"request\"", "\"send\"", "\"auth\"",
            "\"ping\"", "\"GET\"", "\"\"", "null", "true", "[]", "{}", "{\"offset\":1e309}", "{\"user\":7}",
            "1e309", "-1", "1.5", "9223372036854775808", "\"\\ud800\"", "[1,{\"a\":[]}]"),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(20).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    Arbitrary<String> pair = Combinators.combine(key, value).as((k, v) -> "\"" + k + "\":" + v);
    return pair.list().ofMaxSize(6).map(pairs -> "{" + String.join(",", pairs) + "}");
  }
}
