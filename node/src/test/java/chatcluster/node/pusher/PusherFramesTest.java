package chatcluster.node.pusher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.FrameCodec;
import io.vertx.core.buffer.Buffer;
import chatcluster.node.config.PusherApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Pusher frames both ways, the exclusion envelope, channel names and the presence hash. */
class PusherFramesTest {

  @Test
  void decodesWhatPusherJsSends() throws Exception {
    PusherFrames.ClientMessage m = PusherFrames.decode(
        "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"k:s\",\"channel\":\"private-a\"}}");
    assertEquals("pusher:subscribe", m.event());
    assertEquals("private-a", m.dataObject().getString("channel"));
    PusherFrames.ClientMessage client = PusherFrames.decode("{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":\"{\\\"a\\\":1}\"}");
    assertEquals(1, client.dataObject().getInteger("a"), "a JSON document in a string");
    assertThrows(PusherFrames.InvalidFrame.class, () -> PusherFrames.decode("[]"));
    assertThrows(PusherFrames.InvalidFrame.class, () -> PusherFrames.decode("{\"data\":{}}"));
    assertThrows(PusherFrames.InvalidFrame.class, () -> PusherFrames.decode("{\"event\":\"x\",\"channel\":3}"));
  }

  @Test
  void pusherOwnEventsCarryTheirDataAsAJsonString() {
    JsonObject established = new JsonObject(PusherFrames.connectionEstablished("1.2", 120).toString());
    assertEquals("pusher:connection_established", established.getString("event"));
    assertEquals(new JsonObject().put("socket_id", "1.2").put("activity_timeout", 120),
        new JsonObject(established.getString("data")));
    JsonObject error = new JsonObject(PusherFrames.error(4200, "go").toString());
    assertEquals(4200, error.getJsonObject("data").getInteger("code"), "pusher:error's data is an object");
    JsonObject added = new JsonObject(PusherFrames.memberAdded("presence-a", "u1", new JsonObject().put("n", 1)).toString());
    assertEquals("u1", new JsonObject(added.getString("data")).getString("user_id"));
  }

  @Test
  void envelopeExcludesOneSocketAndSharesTheFrameBytes() {
    Buffer frame = PusherFrames.event("news", "headline", "{}", null);
    Buffer enveloped = PusherFrames.excluding("123.456", frame);
    assertNull(PusherFrames.forSocket(enveloped, "123.456"));
    assertEquals(frame.toString(), PusherFrames.forSocket(enveloped, "123.457").toString());
    assertSame(frame, PusherFrames.excluding(null, frame));
    assertSame(frame, PusherFrames.forSocket(frame, "1.1"));
    assertNull(PusherFrames.forSocket(FrameCodec.leave("pusher/a/presence-x", "u", "d"), "1.1"),
        "native frames on an internal channel are not a Pusher client's");
  }

  @Test
  void cacheEventsLeaveRoomForTheBrokersOffset() {
    Buffer whole = FrameCodec.completeMessage(PusherFrames.eventPrefix("cache-a", "e", "{}"), 7);
    assertEquals(new JsonObject().put("event", "e").put("channel", "cache-a").put("data", "{}").put("offset", 7),
        new JsonObject(whole.toString()));
  }

  @Test
  void channelNamesAndKinds() {
    assertEquals(PusherChannel.Kind.PUBLIC, PusherChannel.parse("news").kind());
    assertEquals(PusherChannel.Kind.ENCRYPTED, PusherChannel.parse("private-encrypted-a").kind());
    assertEquals(PusherChannel.Kind.PRESENCE, PusherChannel.parse("presence-cache-a").kind());
    assertEquals(true, PusherChannel.parse("presence-cache-a").cache());
    assertEquals("7", PusherChannel.parse("#server-to-user-7").userOfUserChannel());
    assertNull(PusherChannel.parse("bad name"));
    assertNull(PusherChannel.parse("a/b"), "no slash: internal names have one");
    assertEquals("pusher.app.news", PusherChannel.parse("news").nativeTwin("app"));
    assertNull(PusherChannel.parse("private-a").nativeTwin("app"), "authorized channels have no twin");
    assertNull(PusherChannel.parse("a,b").nativeTwin("app"), "not a native name");
    assertEquals("news", PusherChannel.nameOf("app", PusherChannel.parse("news").internal("app")));
    assertNull(PusherChannel.nameOf("other", PusherChannel.parse("news").internal("app")), "apps never meet");
  }

  @Test
  void presenceHashHasOneEntryPerUser() {
    JsonObject hash = PusherService.presenceData(List.of(new PresenceMember("u1", "1.1 {\"n\":1}", "node-1"),
        new PresenceMember("u2", "2.2 null", "node-2"), new PresenceMember("u1", "3.3 {\"n\":9}", "node-3")));
    assertEquals(2, hash.getInteger("count"));
    assertEquals(List.of("u1", "u2"), hash.getJsonArray("ids").getList());
    assertEquals(1, hash.getJsonObject("hash").getJsonObject("u1").getInteger("n"), "the first connection's info");
  }

  @Test
  void watchlistTransitionsAreReadFromTheSharedFrame() {
    Buffer online = PusherFrames.watchlistEvents(List.of("u\"1"), List.of());
    assertEquals(Boolean.TRUE, PusherFrames.watchlistTransition(online));
    assertEquals(Boolean.FALSE, PusherFrames.watchlistTransition(PusherFrames.watchlistEvents(List.of(), List.of("7"))));
    assertNull(PusherFrames.watchlistTransition(Buffer.buffer("{\"type\":\"reset\"}")), "the broker's reset is no transition");
    JsonObject event = new JsonObject(online.toString()).getJsonObject("data").getJsonArray("events").getJsonObject(0);
    assertEquals(List.of("u\"1"), event.getJsonArray("user_ids").getList());
  }

  @Test
  void aWatchlistOverPushersLimitKeepsTheFirstHundred() {
    PusherApp app = new PusherApp("1", "k", "s", true, 0, List.of());
    JsonArray ids = new JsonArray();
    for (int i = 0; i < 150; i++) {
      ids.add(i % 2 == 0 ? "u" + i : i); // numbers are ids too
    }
    ids.add("u0"); // a repeat counts once
    String userData = new JsonObject().put("id", "me").put("watchlist", ids).encode();
    PusherAuthorization.SignIn in = PusherAuthorization.signin(app, "1.2", new JsonObject().put("user_data", userData)
        .put("auth", "k:" + PusherSigning.hmacHex(app.secret(), "1.2::user::" + userData)));
    assertNull(in.error());
    assertEquals(100, in.watchlist().size());
    assertEquals("u0", in.watchlist().get(0));
    assertEquals("1", in.watchlist().get(1));
    assertEquals(true, in.watchlistCut());
    String bad = new JsonObject().put("id", "me").put("watchlist", "u1").encode();
    assertEquals("user_data's watchlist must be an array of user ids", PusherAuthorization.signin(app, "1.2",
        new JsonObject().put("user_data", bad).put("auth", "k:" + PusherSigning.hmacHex(app.secret(), "1.2::user::" + bad)))
        .error());
  }
}
