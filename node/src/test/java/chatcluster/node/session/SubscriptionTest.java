package chatcluster.node.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.channel.Delivery;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** What a subscription does with each delivery: the client's position, and whether to write. */
class SubscriptionTest {
  private static final Buffer FRAME = Buffer.buffer("{}");

  private static Subscription at(long offset) {
    Subscription sub = new Subscription("room", ChannelOptions.DEFAULTS);
    sub.epoch = "E";
    sub.lastOffset = offset;
    return sub;
  }

  @Test
  void aResetBehindTheClientIsSkippedButARewindTakesItBackForTheNewMessagesAtThoseOffsets() {
    Subscription reset = at(56);
    assertEquals(Subscription.Verdict.SKIP, reset.accept(Delivery.reset("room", 55, "E", FRAME)));
    assertEquals(56, reset.lastOffset, "a stale reset leaves the client where it is");
    assertEquals(Subscription.Verdict.SKIP, reset.accept(new Delivery("room", 56, "E", FRAME)),
        "and offset 56 counts as had");

    // Redis discarded 56 (a failover's lost write): another message now takes offset 56.
    Subscription rewound = at(56);
    assertEquals(Subscription.Verdict.WRITE, rewound.accept(Delivery.rewind("room", 55, "E", FRAME)));
    assertEquals(55, rewound.lastOffset);
    assertEquals(Subscription.Verdict.WRITE, rewound.accept(new Delivery("room", 56, "E", FRAME)),
        "the new message at 56 reaches the client");
    assertEquals(Subscription.Verdict.WRITE, rewound.accept(new Delivery("room", 57, "E", FRAME)));

    assertEquals(Subscription.Verdict.SKIP, at(55).accept(Delivery.rewind("room", 55, "E", FRAME)),
        "a rewind to where the client is tells it nothing");
    Subscription behind = at(50);
    assertEquals(Subscription.Verdict.WRITE, behind.accept(Delivery.rewind("room", 55, "E", FRAME)));
    assertEquals(55, behind.lastOffset, "a client behind a rewind is reset to it, as by any reset");
  }
}
