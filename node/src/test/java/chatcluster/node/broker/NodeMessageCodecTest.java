package chatcluster.node.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import chatcluster.node.broker.NodeMessageCodec.Scope;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Every kind of node message survives its one wire form; what is not one is refused, not guessed. */
class NodeMessageCodecTest {
  private static final Buffer FRAME = Buffer.buffer("{\"type\":\"message\",\"data\":\"a\\nb\"}");

  private static NodeMessage roundTrip(NodeMessage m, Scope scope) {
    NodeMessage back = NodeMessageCodec.decode(NodeMessageCodec.encode(m), scope);
    return back;
  }

  @Test
  void everyKindRoundTrips() {
    NodeMessage.ChannelFrame c = (NodeMessage.ChannelFrame) roundTrip(
        new NodeMessage.ChannelFrame("node-a", 42, "ep0ch", FRAME), Scope.CHANNEL);
    assertEquals("node-a", c.origin());
    assertEquals(42, c.offset());
    assertEquals("ep0ch", c.epoch());
    assertEquals(FRAME.toString(), c.frame().toString());
    NodeMessage.ChannelFrame event = (NodeMessage.ChannelFrame) roundTrip(
        new NodeMessage.ChannelFrame("node-a", -1, null, FRAME), Scope.CHANNEL);
    assertNull(event.epoch());
    assertEquals(FRAME.toString(), ((NodeMessage.Everyone) roundTrip(new NodeMessage.Everyone("n", FRAME),
        Scope.EVERYONE)).frame().toString());
    assertEquals("bob", ((NodeMessage.ToUser) roundTrip(new NodeMessage.ToUser("n", "bob", FRAME), Scope.NODE))
        .user());
    assertEquals("tab-1", ((NodeMessage.ToDevice) roundTrip(new NodeMessage.ToDevice("n", "tab-1", FRAME),
        Scope.NODE)).device());
    NodeMessage.DeviceOrder order = (NodeMessage.DeviceOrder) roundTrip(
        new NodeMessage.DeviceOrder("n", "tab-1", false, "room"), Scope.NODE);
    assertEquals(false, order.subscribe());
    assertEquals("room", order.channel());
    NodeMessage.Query q = (NodeMessage.Query) roundTrip(new NodeMessage.Query("n", "q1", FRAME), Scope.NODE);
    assertEquals("q1", q.id());
    assertEquals(FRAME.toString(), q.body().toString());
    NodeMessage.Answer a = (NodeMessage.Answer) roundTrip(new NodeMessage.Answer("m", "q1", FRAME), Scope.NODE);
    assertEquals("m", a.origin());
    assertEquals(FRAME.toString(), a.body().toString());
  }

  @Test
  void whatIsNotANodeMessageDecodesToNull() {
    assertNull(NodeMessageCodec.decode(Buffer.buffer("no newlines"), Scope.CHANNEL));
    assertNull(NodeMessageCodec.decode(Buffer.buffer("n\nnot-a-number\n\n{}"), Scope.CHANNEL));
    assertNull(NodeMessageCodec.decode(Buffer.buffer("n\n-1\nx:who\n{}"), Scope.NODE));
  }
}
