package chatcluster.node.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.Ids;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the inbox promises, run against each backend: the embedded default (one node, in memory) and
 * Redis (three nodes). Senders are spread over the nodes, recipients connect to whichever node.
 */
abstract class InboxContract {
  /** The static token the nodes accept; users and devices are claimed beside it. */
  static final String TOKEN = "inbox-contract-token-0123456789";
  /** The inbox size the nodes run with (small, to see the bound). */
  static final int SIZE = 300;

  /** Nodes in the cluster under test. */
  abstract int nodes();

  /** An authenticated client of {@code user} on device {@code device}, on node {@code node}. */
  abstract WsClient open(int node, String user, String device);

  /** The relay key the nodes accept on /api/relay. */
  static final String RELAY_KEY = "inbox-contract-relay-key";

  abstract int port(int node);

  /** A backend's push to node {@code node}'s HTTP relay API; answers the status. */
  int relay(int node, JsonObject action) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port(node) + "/api/relay"))
            .header("Authorization", "Bearer " + RELAY_KEY).timeout(Duration.ofSeconds(10))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(action.encode())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  @Test
  void aBackendsSendsToAUserAndToADeviceAreKeptForThemWhenTheyAreOffline() throws Exception {
    String fay = "fay-" + Ids.random(6);
    assertEquals(200, relay(0, new JsonObject().put("action", "sendToUser").put("user", fay).put("data", "to-fay")));
    assertEquals(200, relay(nodes() - 1, new JsonObject().put("action", "sendToDevice").put("device", "fay-tab")
        .put("data", "to-tab")));
    assertEquals(404, relay(0, new JsonObject().put("action", "sendToDevice").put("device", "nobody-" + Ids.random(4))
        .put("data", "live only").put("store", false)), "store: false is today's live-only send");
    WsClient tab = open(nodes() - 1, fay, "fay-tab");
    List<JsonObject> got = tab.takeAll(InboxContract::direct, 2, WAIT);
    assertEquals(List.of("to-fay", "to-tab"), got.stream().map(f -> f.getString("data")).sorted().toList());
    assertTrue(got.stream().allMatch(f -> "server".equals(f.getJsonObject("from").getString("user"))), got.toString());
  }

  private static final Duration WAIT = Duration.ofSeconds(20);

  static JsonObject send(String user, Object data, int id) {
    return new JsonObject().put("type", "send").put("to", new JsonObject().put("user", user)).put("data", data)
        .put("id", id);
  }

  static JsonObject ack(String inbox, long offset) {
    return new JsonObject().put("type", "inbox_ack").put("inbox", inbox).put("offset", offset);
  }

  private static boolean direct(JsonObject f) {
    return "direct".equals(f.getString("type"));
  }

  @Test
  void anOfflineRecipientGetsEverythingInPerSenderOrderBeforeLiveOnesOnEachOfItsDevices() {
    String ann = "ann-" + Ids.random(6);
    List<WsClient> senders = new ArrayList<>();
    for (int n = 0; n < nodes(); n++) {
      senders.add(open(n, "sender-" + n + "-" + Ids.random(4), "s" + n));
    }
    int perSender = 100 / senders.size() + 1;
    int total = perSender * senders.size();
    for (int i = 0; i < perSender; i++) {
      for (int s = 0; s < senders.size(); s++) {
        senders.get(s).send(send(ann, new JsonObject().put("s", s).put("i", i), i));
      }
    }
    for (WsClient s : senders) {
      List<JsonObject> acks = s.takeAll(f -> "ack".equals(f.getString("type")), perSender, WAIT);
      for (JsonObject a : acks) {
        assertEquals(true, a.getJsonObject("result").getBoolean("stored"), a.encode());
        assertEquals(0, a.getJsonObject("result").getInteger("delivered"), "nobody reads ann's inbox yet");
      }
    }
    WsClient phone = open(nodes() - 1, ann, "phone");
    List<JsonObject> got = phone.takeAll(InboxContract::direct, total, WAIT);
    senders.get(0).ok(send(ann, "live", 999));
    JsonObject live = phone.await(f -> direct(f) && "live".equals(f.getValue("data")), WAIT);
    assertEquals(total + 1, live.getLong("offset"), "the live one after the backlog");
    Map<Integer, Integer> next = new HashMap<>();
    long lastOffset = 0;
    for (JsonObject f : got) {
      JsonObject d = f.getJsonObject("data");
      int s = d.getInteger("s");
      assertEquals(next.getOrDefault(s, 0), d.getInteger("i"), "sender " + s + "'s messages in its order");
      next.put(s, d.getInteger("i") + 1);
      assertTrue(f.getLong("offset") > lastOffset, "offsets increase");
      lastOffset = f.getLong("offset");
      assertEquals("user", f.getString("inbox"));
    }
    // A second device gets them too; acks are each device's own.
    phone.ok(ack("user", total - 10));
    WsClient laptop = open(0, ann, "laptop");
    assertEquals(total + 1, laptop.takeAll(InboxContract::direct, total + 1, WAIT).size(), "the laptop gets all");
    phone.close();
    WsClient phone2 = open(1 % nodes(), ann, "phone");
    List<JsonObject> again = phone2.takeAll(InboxContract::direct, 11, WAIT);
    assertEquals(total - 9, again.get(0).getLong("offset"), "the phone starts after what it acknowledged");
    phone2.assertNone(InboxContract::direct, Duration.ofMillis(300));
  }

  @Test
  void aSenderGetsOneReceiptPerAcknowledgingDeviceEvenWhenItWasOffline() {
    String bob = "bob-" + Ids.random(6);
    String cleo = "cleo-" + Ids.random(6);
    WsClient sender = open(0, bob, "bob-phone");
    JsonObject sent = sender.ok(send(cleo, "hello", 1).put("receipt", true));
    String id = sent.getString("id");
    sender.close();
    WsClient c1 = open(nodes() - 1, cleo, "c1");
    WsClient c2 = open(0, cleo, "c2");
    JsonObject m1 = c1.take(InboxContract::direct);
    assertEquals(true, m1.getBoolean("receipt"));
    c2.take(InboxContract::direct);
    c1.ok(ack("user", m1.getLong("offset")));
    c1.ok(ack("user", m1.getLong("offset"))); // a repeat changes nothing
    c2.ok(ack("user", m1.getLong("offset")));
    WsClient back = open(1 % nodes(), bob, "bob-phone");
    List<JsonObject> receipts = back.takeAll(f -> "receipt".equals(f.getString("type")), 2, WAIT);
    assertEquals(List.of("c1", "c2"), receipts.stream().map(r -> r.getString("device")).sorted().toList());
    for (JsonObject r : receipts) {
      assertEquals(id, r.getString("id"));
      assertEquals(cleo, r.getJsonObject("to").getString("user"));
      assertEquals("delivered", r.getString("status"));
      assertEquals(m1.getLong("offset"), r.getLong("offset"));
    }
    back.assertNone(f -> "receipt".equals(f.getString("type")), Duration.ofMillis(500));
  }

  @Test
  void aRetriedPublishWithTheSameKeyLeavesOneMessage() {
    String channel = "room-keys-" + Ids.random(6);
    String pub = "pub-" + Ids.random(4);
    WsClient a = open(0, pub, "pa");
    WsClient b = open(nodes() - 1, pub, "pa"); // the same device, reconnected elsewhere
    WsClient other = open(nodes() - 1, "other-" + Ids.random(4), "po");
    a.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    b.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    JsonObject publish = new JsonObject().put("type", "publish").put("channel", channel).put("data", "once")
        .put("key", "k-1");
    long first = a.ok(publish.copy().put("id", 1)).getLong("offset");
    long second = b.ok(publish.copy().put("id", 2)).getLong("offset");
    assertEquals(first, second, "the retry is answered with the first one's offset");
    other.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    long others = other.ok(publish.copy().put("id", 3)).getLong("offset");
    assertTrue(others > first, "another sender's equal key is its own publish");
    JsonObject history = a.ok(new JsonObject().put("type", "history").put("channel", channel));
    assertEquals(2, history.getJsonArray("messages").size(), history.encode());
  }

  @Test
  void aPublishWhoseConnectionDiedUnansweredRetriedWithItsKeyElsewhereLeavesOneMessage() {
    String channel = "room-retry-" + Ids.random(6);
    String user = "retrier-" + Ids.random(4);
    WsClient retrier = open(nodes() - 1, user, "rb");
    retrier.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
    long lastOffset = 0;
    for (int round = 0; round < 20; round++) {
      WsClient doomed = open(0, user, "rb"); // the same device's earlier connection, on another node
      doomed.ok(new JsonObject().put("type", "subscribe").put("channel", channel));
      JsonObject publish = new JsonObject().put("type", "publish").put("channel", channel).put("data", round)
          .put("key", "round-" + round);
      doomed.send(publish.copy().put("id", 1));
      doomed.close(); // its answer is lost, whether or not the node applied it
      long offset = retrier.ok(publish.copy().put("id", 100 + round)).getLong("offset");
      assertTrue(offset > lastOffset, "round " + round + ": a new offset");
      lastOffset = offset;
    }
    JsonObject history = retrier.ok(new JsonObject().put("type", "history").put("channel", channel));
    List<Object> data = history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getValue("data")).toList();
    assertEquals(java.util.stream.IntStream.range(0, 20).boxed().map(i -> (Object) i).toList(), data,
        "each round's publish once, in order: 0 lost, 0 doubled");
  }

  @Test
  void anInboxOverItsSizeDropsTheOldestAndTellsTheGap() {
    String dan = "dan-" + Ids.random(6);
    WsClient s = open(0, "sender-" + Ids.random(4), "sx");
    int sent = SIZE + 20;
    for (int i = 1; i <= sent; i++) {
      s.send(send(dan, i, i));
    }
    s.takeAll(f -> "ack".equals(f.getString("type")), sent, WAIT);
    WsClient d = open(nodes() - 1, dan, "dan-phone");
    JsonObject gap = d.take(f -> "inbox_gap".equals(f.getString("type")));
    assertEquals(1, gap.getLong("from"));
    assertEquals(20, gap.getLong("to"));
    List<JsonObject> kept = d.takeAll(InboxContract::direct, SIZE, WAIT);
    assertEquals(21, kept.get(0).getInteger("data"));
    assertEquals(sent, kept.get(SIZE - 1).getInteger("data"));
  }

  @Test
  void badInboxInputGetsTheContractsErrors() {
    WsClient e = open(0, "eve-" + Ids.random(4), "eve-1");
    assertEquals("bad_request", e.errorCode(new JsonObject().put("type", "inbox_ack").put("offset", -1).put("id", 1)));
    assertEquals("bad_request", e.errorCode(new JsonObject().put("type", "inbox_ack").put("inbox", "other")
        .put("offset", 1).put("id", 2)));
    assertEquals("bad_request", e.errorCode(ack("user", 1_000_000).put("id", 3)), "past the inbox's last");
    assertEquals("bad_request", e.errorCode(new JsonObject().put("type", "publish").put("channel", "room-x")
        .put("data", 1).put("key", "").put("id", 4)));
  }
}
