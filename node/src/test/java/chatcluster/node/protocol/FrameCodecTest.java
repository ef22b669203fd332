package chatcluster.node.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  @Test
  void messagePrefixCompletedWithItsOffsetIsTheWholeFrame() {
    Buffer prefix = FrameCodec.messagePrefix("room", new JsonObject().put("t", "h\"i"), new Sender("u", "d"), 123L);
    JsonObject frame = new JsonObject(FrameCodec.completeMessage(prefix, 42));
    assertEquals(new JsonObject().put("type", "message").put("channel", "room")
        .put("data", new JsonObject().put("t", "h\"i")).put("from", new JsonObject().put("user", "u").put("device", "d"))
        .put("ts", 123L).put("offset", 42L), frame);
  }

  @Test
  void decodesEveryCommand() throws Exception {
    ClientFrame.Subscribe s = (ClientFrame.Subscribe) FrameCodec.decode(
        "{\"type\":\"subscribe\",\"channel\":\"c\",\"id\":\"1\",\"since\":{\"offset\":5,\"epoch\":\"e\"}}");
    assertEquals(new ClientFrame.Since(5, "e"), s.since());
    assertInstanceOf(ClientFrame.Unsubscribe.class, FrameCodec.decode("{\"type\":\"unsubscribe\",\"channel\":\"c\"}"));
    assertInstanceOf(ClientFrame.Publish.class, FrameCodec.decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":null}"));
    assertInstanceOf(ClientFrame.Event.class, FrameCodec.decode("{\"type\":\"event\",\"name\":\"n\"}"));
    ClientFrame.Send send = (ClientFrame.Send) FrameCodec.decode("{\"type\":\"send\",\"to\":{\"device\":\"d\"},\"data\":1}");
    assertEquals(new ClientFrame.Target(null, "d"), send.to());
    assertInstanceOf(ClientFrame.Presence.class, FrameCodec.decode("{\"type\":\"presence\",\"channel\":\"c\"}"));
    ClientFrame.History h = (ClientFrame.History) FrameCodec.decode("{\"type\":\"history\",\"channel\":\"c\",\"limit\":3}");
    assertEquals(3, h.limit());
    ClientFrame.Request r = (ClientFrame.Request) FrameCodec.decode("{\"path\":\"/p\",\"method\":\"post\",\"interval\":5}");
    assertEquals("POST", r.method());
    assertEquals(5, r.interval());
    assertEquals(false, r.typed());
    assertInstanceOf(ClientFrame.Tasks.class, FrameCodec.decode("{\"type\":\"tasks\"}"));
    assertInstanceOf(ClientFrame.Cancel.class, FrameCodec.decode("{\"type\":\"cancel\",\"task\":\"t\"}"));
    assertInstanceOf(ClientFrame.Ping.class, FrameCodec.decode("{\"type\":\"ping\",\"id\":7}"));
    assertInstanceOf(ClientFrame.Auth.class, FrameCodec.decode("{\"type\":\"auth\",\"token\":\"x\"}"));
  }

  @Test
  void invalidFramesKeepTheirIdWhenItIsUsable() {
    InvalidFrameException e = assertThrows(InvalidFrameException.class,
        () -> FrameCodec.decode("{\"type\":\"publish\",\"id\":\"p1\",\"channel\":\"c\"}"));
    assertEquals("p1", e.id());
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("missing field 'data'", e.getMessage());
    InvalidFrameException unknown = assertThrows(InvalidFrameException.class,
        () -> FrameCodec.decode("{\"type\":\"nope\",\"id\":3}"));
    assertEquals(ErrorCode.UNKNOWN_TYPE, unknown.code());
    assertEquals(3, unknown.id());
    InvalidFrameException badId = assertThrows(InvalidFrameException.class,
        () -> FrameCodec.decode("{\"type\":\"ping\",\"id\":true}"));
    assertNull(badId.id());
  }

  /**
   * The welcome is written without Jackson when its strings need no escaping: the same bytes as the
   * object encoded by Jackson, for plain strings, nulls and the batch flag; strings that need escaping
   * (quotes, backslashes, control and non-ASCII characters) still go through Jackson.
   */
  @Test
  void theWelcomeIsTheSameBytesAsTheJsonObjectEncoded() {
    String[] values = {"alice", "s-AbC_12-x", "user@example.com", "a/b", "with space", "", null, "quo\"te",
        "back\\slash", "tab\t", "ünïcödé", "emoji \uD83D\uDE00", "\u0001ctl", "~!#$%&'()*+,-.:;<=>?[]^`{|}"};
    for (String user : values) {
      for (String device : new String[] {"phone", null, "d\"x", "ü"}) {
        for (boolean batch : new boolean[] {false, true}) {
          io.vertx.core.json.JsonObject expected = new io.vertx.core.json.JsonObject().put("type", "welcome")
              .put("version", 1).put("session", "s-0123456789abcdef").put("node", "node-1").put("user", user)
              .put("device", device).put("heartbeat", 25L);
          if (batch) {
            expected.put("batch", true);
          }
          assertEquals(expected.toBuffer().toString(),
              FrameCodec.welcome("s-0123456789abcdef", "node-1", user, device, 25, batch).toString(),
              user + " / " + device + " / " + batch);
        }
      }
    }
  }
}
