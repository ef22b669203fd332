package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each channel option of PROTOCOL.md section 3, declared by name or pattern in the node's config. */
class ChannelOptionsTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(c -> c
        .set(ConfigOption.AUTH_TOKEN, "static-secret")
        .channel("small", ChannelOptions.builder().maxClients(2).build())
        .channel("hist-*", ChannelOptions.builder().persistent(true).historySize(5).build())
        .channel("lobby", ChannelOptions.builder().presence(true).build())
        .channel("members-*", ChannelOptions.builder().auth(true).build())
        .channel("private-*", ChannelOptions.builder().privateChannel(true).build())
        .channel("announcements", ChannelOptions.builder().clientPublish(false).build()));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonObject cmd(String type, String channel) {
    return new JsonObject().put("type", type).put("channel", channel);
  }

  private static JsonObject publish(String channel, Object data) {
    return cmd("publish", channel).put("data", data);
  }

  @Test
  void maxClientsRefusesTheSubscriberPastTheCapAndFreesASlotOnUnsubscribe() {
    WsClient a = node.open("m1");
    WsClient b = node.open("m2");
    WsClient c = node.open("m3");
    a.ok(cmd("subscribe", "small"));
    b.ok(cmd("subscribe", "small"));
    assertEquals("channel_full", c.errorCode(cmd("subscribe", "small")));
    b.ok(cmd("unsubscribe", "small"));
    c.ok(cmd("subscribe", "small"));
    a.close();
    assertEquals(1000, a.closeCode());
    WsClient d = node.open("m4");
    d.ok(cmd("subscribe", "small")); // a's slot was released when it disconnected
  }

  @Test
  void persistentChannelKeepsHistoryBoundedByHistorySize() {
    WsClient a = node.open("h1");
    a.ok(cmd("subscribe", "hist-bounded"));
    for (int i = 1; i <= 8; i++) {
      a.ok(publish("hist-bounded", i));
    }
    JsonObject h = a.ok(cmd("history", "hist-bounded"));
    assertEquals(8L, h.getLong("offset"));
    JsonArray messages = h.getJsonArray("messages");
    assertEquals(5, messages.size(), "historySize 5 keeps the last five");
    assertEquals(4L, messages.getJsonObject(0).getLong("offset"));
    assertEquals(8, messages.getJsonObject(4).getInteger("data"));
    assertEquals("message", messages.getJsonObject(0).getString("type"));

    JsonObject limited = a.ok(cmd("history", "hist-bounded").put("limit", 2));
    assertEquals(List.of(7L, 8L), offsets(limited.getJsonArray("messages")));
    JsonObject since = a.ok(cmd("history", "hist-bounded").put("since", new JsonObject().put("offset", 5)
        .put("epoch", h.getString("epoch"))));
    assertEquals(List.of(6L, 7L, 8L), offsets(since.getJsonArray("messages")));
    assertEquals("bad_request", a.errorCode(cmd("history", "not-persistent")));
  }

  @Test
  void resubscribeWithSinceRecoversExactlyTheMissedMessagesBeforeLiveOnes() {
    WsClient pub = node.open("rp");
    WsClient sub = node.open("rs");
    pub.ok(cmd("subscribe", "hist-recover"));
    JsonObject first = sub.ok(cmd("subscribe", "hist-recover"));
    pub.ok(publish("hist-recover", "m1"));
    assertEquals(1L, sub.take("message").getLong("offset"));
    sub.close();

    // The subscriber is gone: three messages go by.
    for (String m : new String[] {"m2", "m3", "m4"}) {
      pub.ok(publish("hist-recover", m));
    }
    WsClient back = node.open("rs");
    back.send(cmd("subscribe", "hist-recover").put("id", "re")
        .put("since", new JsonObject().put("offset", 1).put("epoch", first.getString("epoch"))));
    pub.ok(publish("hist-recover", "m5"));

    JsonObject ack = back.take("ack");
    assertEquals(true, ack.getJsonObject("result").getBoolean("recovered"));
    assertEquals(first.getString("epoch"), ack.getJsonObject("result").getString("epoch"));
    List<String> got = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(back.take("message").getString("data"));
    }
    assertEquals(List.of("m2", "m3", "m4", "m5"), got, "missed messages first, then live, no duplicates");
    back.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(200));
    // The ack precedes the recovered messages.
    assertTrue(ack.getJsonObject("result").getLong("offset") >= 4);
  }

  @Test
  void recoveryReportsFalseWhenTheGapWasTrimmedOrTheEpochChanged() {
    WsClient pub = node.open("tp");
    JsonObject first = pub.ok(cmd("subscribe", "hist-trim"));
    for (int i = 1; i <= 9; i++) {
      pub.ok(publish("hist-trim", i));
    }
    WsClient late = node.open("tl");
    JsonObject trimmed = late.ok(cmd("subscribe", "hist-trim")
        .put("since", new JsonObject().put("offset", 1).put("epoch", first.getString("epoch"))));
    assertFalse(trimmed.getBoolean("recovered"), "offsets 2-4 were trimmed by historySize 5");
    assertEquals(9L, trimmed.getLong("offset"));

    WsClient other = node.open("te");
    JsonObject wrongEpoch = other.ok(cmd("subscribe", "hist-trim")
        .put("since", new JsonObject().put("offset", 8).put("epoch", "another-epoch")));
    assertFalse(wrongEpoch.getBoolean("recovered"));
    assertNotEquals("another-epoch", wrongEpoch.getString("epoch"));
    other.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(200));

    WsClient volatileSub = node.open("tv");
    JsonObject nonPersistent = volatileSub.ok(cmd("subscribe", "volatile-ch")
        .put("since", new JsonObject().put("offset", 0).put("epoch", "x")));
    assertFalse(nonPersistent.getBoolean("recovered"), "a channel without history cannot recover");
  }

  @Test
  void presenceListsMembersAndSendsJoinAndLeave() {
    WsClient a = node.open("alice");
    a.ok(cmd("subscribe", "lobby"));
    JsonObject ownJoin = a.take("join");
    assertEquals("alice", ownJoin.getString("user"));
    WsClient b = node.open("bob");
    b.ok(cmd("subscribe", "lobby"));
    JsonObject join = a.take("join");
    assertEquals(new JsonObject().put("type", "join").put("channel", "lobby").put("user", "bob")
        .put("device", "bob-d"), join);

    JsonObject p = a.ok(cmd("presence", "lobby"));
    assertEquals(2, p.getInteger("count"));
    JsonArray members = p.getJsonArray("members");
    assertEquals(new JsonObject().put("user", "alice").put("device", "alice-d").put("node", node.node.id()),
        members.getJsonObject(0));
    assertEquals("bob", members.getJsonObject(1).getString("user"));

    b.close();
    JsonObject leave = a.take("leave");
    assertEquals("bob", leave.getString("user"));
    assertEquals(1, a.ok(cmd("presence", "lobby")).getInteger("count"));
    assertEquals("bad_request", a.errorCode(cmd("presence", "no-presence-here")));
  }

  @Test
  void authChannelRefusesAnonymousConnections() {
    WsClient anon = node.open();
    assertEquals("unauthorized", anon.errorCode(cmd("subscribe", "members-only")));
    WsClient authed = node.client().header("Authorization", "Bearer static-secret").open();
    authed.ok(cmd("subscribe", "members-only"));
  }

  @Test
  void privateChannelNeedsAGrant() {
    WsClient authed = node.client().header("Authorization", "Bearer static-secret").open();
    assertEquals("forbidden", authed.errorCode(cmd("subscribe", "private-room")),
        "a static token grants no private channel");
    WsClient anon = node.open();
    assertEquals("unauthorized", anon.errorCode(cmd("subscribe", "private-room")));
  }

  @Test
  void clientPublishFalseLetsOnlyTheServerPublish() {
    WsClient a = node.open("reader");
    a.ok(cmd("subscribe", "announcements"));
    assertEquals("forbidden", a.errorCode(publish("announcements", "spam")));
    long offset = TestNode.await(node.node.broadcast("announcements", new JsonObject().put("v", 1)));
    JsonObject m = a.take("message");
    assertEquals(offset, m.getLong("offset"));
    assertEquals("server", m.getJsonObject("from").getString("user"));
  }

  @Test
  void publishingRequiresASubscription() {
    WsClient a = node.open();
    assertEquals("not_subscribed", a.errorCode(publish("somewhere", 1)));
  }

  @Test
  void undeclaredChannelsAreRefusedWhenDynamicChannelsAreOff() {
    try (TestNode strict = TestNode.start(c -> c.set(ConfigOption.DYNAMIC_CHANNELS, false)
        .channel("declared", ChannelOptions.DEFAULTS))) {
      WsClient a = strict.open();
      a.ok(cmd("subscribe", "declared"));
      assertEquals("not_found", a.errorCode(cmd("subscribe", "undeclared")));
    }
  }

  private static List<Long> offsets(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("offset")).toList();
  }
}
