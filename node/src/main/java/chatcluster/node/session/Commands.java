package chatcluster.node.session;

import chatcluster.node.services.LoopServices;
import chatcluster.node.services.NodeServices;
import chatcluster.node.auth.Principal;
import chatcluster.node.core.SessionSubscriptions;
import chatcluster.node.core.Step;
import chatcluster.node.channel.Delivery;
import chatcluster.node.broker.Direct;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.history.HistoryPage;
import chatcluster.node.hub.LoopChannels;
import chatcluster.node.history.StreamPosition;
import chatcluster.node.inbox.InboxMail;
import chatcluster.node.inbox.Inboxes;
import chatcluster.node.hooks.ReceivedEvent;
import chatcluster.node.hooks.ReceivedMessage;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ClientFrame;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The contract's commands for one session (PROTOCOL.md section 2). Each returns a {@link Step}: the
 * session's pipeline starts the next command when the step is applied and writes the step's answer
 * in command order. Nothing here decodes frames or writes outside an answer.
 */
final class Commands {
  private static final int MAX_EVENT_NAME = 128;

  private final NodeServices node;
  private final LoopChannels channels;
  private final CommandContext session;
  private final SessionSubscriptions<Subscription> subscriptions;
  /** REST relay calls of this connection in flight (bounded by api.maxPerConnection). */
  private int apiCallsInFlight;
  /** The connection's own inboxes among its subscriptions (0 or 2; not counted against maxSubscriptions). */
  private int inboxes;

  Commands(LoopServices loop, CommandContext session, SessionSubscriptions<Subscription> subscriptions) {
    this.node = loop.node();
    this.channels = loop.channels();
    this.session = session;
    this.subscriptions = subscriptions;
  }

  /** Starts one command; see {@link Step} for when it counts as applied and when its answer is written. */
  Step dispatch(ClientFrame frame) {
    Object id = frame.id();
    try {
      if (frame instanceof ClientFrame.Ping) {
        return Step.done(() -> session.send(FrameCodec.pong(id)));
      } else if (frame instanceof ClientFrame.Subscribe s) {
        return subscribe(s);
      } else if (frame instanceof ClientFrame.Unsubscribe u) {
        return Step.serial(reply(id, unsubscribe(u.channel())));
      } else if (frame instanceof ClientFrame.Publish p) {
        return publish(p);
      } else if (frame instanceof ClientFrame.Event e) {
        return Step.serial(reply(id, event(e)));
      } else if (frame instanceof ClientFrame.Send s) {
        return Step.serial(reply(id, send(s)));
      } else if (frame instanceof ClientFrame.InboxAck a) {
        return Step.serial(reply(id, inboxAck(a)));
      } else if (frame instanceof ClientFrame.Presence p) {
        return Step.serial(reply(id, presence(p.channel())));
      } else if (frame instanceof ClientFrame.History h) {
        return Step.serial(reply(id, history(h)));
      } else if (frame instanceof ClientFrame.Request r) {
        return request(r);
      } else if (frame instanceof ClientFrame.Tasks) {
        return Step.serial(reply(id, node.rest().isEmpty() ? unavailable(NO_TASKS)
            : node.rest().get().tasks().list(session.principal().device())));
      } else if (frame instanceof ClientFrame.Cancel c) {
        return Step.serial(reply(id, node.rest().isEmpty() ? unavailable(NO_TASKS)
            : node.rest().get().tasks().cancel(session.principal().device(), c.task())));
      }
      throw new IllegalStateException("not a command: " + frame.getClass().getSimpleName());
    } catch (ChatException e) {
      return Step.done(() -> session.replyError(id, e));
    }
  }

  /** The answer to a command: its ack when it has an id, or its error. */
  private Future<Runnable> reply(Object id, Future<JsonObject> result) {
    return result.transform(ar -> Future.succeededFuture(ar.failed()
        ? () -> session.replyError(id, ar.cause())
        : () -> {
          if (id != null) {
            session.send(FrameCodec.ack(id, ar.result()));
          }
        }));
  }

  /**
   * The REST relay: a one-shot call answers {status, headers, body}; with an interval a scheduled
   * task is created. A request without an id still gets its answer, as a {@code response} frame. A
   * one-shot call takes effect when it is sent: later commands do not wait for the API.
   */
  private Step request(ClientFrame.Request r) {
    Future<JsonObject> result;
    boolean oneShot = false;
    if (node.rest().isEmpty()) {
      result = unavailable("the REST relay (the node needs " + ConfigOption.API_BASE_URL.env() + ")");
    } else if (r.interval() > 0) {
      result = node.rest().get().tasks().create(session.principal().device(), r.path(), r.method(), r.body(), r.headers(), r.interval());
    } else if (apiCallsInFlight >= node.config().api().maxPerConnection()) {
      result = Future.failedFuture(new ChatException(ErrorCode.RATE_LIMITED,
          "at most " + node.config().api().maxPerConnection() + " API calls in flight per connection"));
    } else {
      oneShot = true;
      apiCallsInFlight++;
      result = node.rest().get().proxy().call(r.path(), r.method(), r.body(), r.headers(), null)
          .map(chatcluster.node.rest.ApiResponse::toJson)
          .eventually(() -> {
            apiCallsInFlight--;
            return Future.succeededFuture();
          });
    }
    Future<Runnable> answer;
    if (r.id() != null) {
      answer = reply(r.id(), result);
    } else {
      answer = result.transform(ar -> Future.succeededFuture(ar.failed()
          ? () -> session.replyError(null, ar.cause())
          : () -> session.send(FrameCodec.response(ar.result()))));
    }
    return oneShot ? new Step(Future.succeededFuture(), answer) : Step.serial(answer);
  }

  private static final String NO_TASKS = "scheduled tasks (they are REST relay calls: the node needs "
      + ConfigOption.API_BASE_URL.env() + ")";

  private static Future<JsonObject> unavailable(String what) {
    return Future.failedFuture(new ChatException(ErrorCode.UNAVAILABLE, what + " is not available on this node"));
  }

  // ------------------------------------------------------------------ subscribe / unsubscribe

  private Step subscribe(ClientFrame.Subscribe frame) {
    if (subscriptions.contains(frame.channel())) {
      throw ChatException.badRequest("already subscribed to '" + frame.channel() + "'");
    }
    if (subscriptions.size() - inboxes >= node.config().security().maxSubscriptions()) {
      throw new ChatException(ErrorCode.RATE_LIMITED, "at most " + node.config().security().maxSubscriptions()
          + " subscriptions per connection");
    }
    return startSubscription(frame.channel(), frame.since(), frame.id(), false);
  }

  /**
   * A backend's subscribe (relay): no access checks, the backend decides; maxClients still holds.
   * The client learns of it from a {@code subscribed} frame. Nothing happens when already subscribed.
   */
  Step serverSubscribe(String channel) {
    if (subscriptions.contains(channel)) {
      return Step.done(() -> {});
    }
    try {
      return startSubscription(channel, null, null, true);
    } catch (ChatException e) {
      return Step.done(() -> session.replyError(null, e));
    }
  }

  /** A backend's unsubscribe (relay); the client learns of it from an {@code unsubscribed} frame. */
  Step serverUnsubscribe(String channel) {
    Subscription sub = subscriptions.remove(channel);
    if (sub == null) {
      return Step.done(() -> {});
    }
    return Step.serial(release(sub).map(v -> () -> session.send(FrameCodec.unsubscribed(channel))));
  }

  /**
   * Checks access, takes a slot, joins the node's fan-out, enters presence, reads the position (and
   * what the client missed): all before the answer, so a command after the subscribe sees its effect.
   * The answer sends the ack, then the recovered messages, then what arrived meanwhile, and goes live.
   */
  private Step startSubscription(String channel, ClientFrame.Since since, Object replyId, boolean byServer) {
    ChannelOptions options = node.catalog().resolve(channel);
    Subscription sub = new Subscription(channel, options);
    subscriptions.add(sub);

    Future<HistoryPage> ready = (byServer ? Future.<Void>succeededFuture() : checkAccess(channel, options))
        .compose(v -> acquireSlot(sub))
        .compose(v -> channels.add(channel, sub))
        .compose(v -> enterPresence(sub))
        .compose(v -> since != null && options.persistent()
            ? node.history().catchUp(channel, since.offset(), options.historySize(), options)
            : node.history().catchUp(channel, 0, 0, options).map(p -> new HistoryPage(p.position(), List.of(), false)));

    return Step.serial(ready.transform(ar -> {
      if (subscriptions.get(channel) != sub) {
        return Future.succeededFuture(() -> {}); // unsubscribed or closed meanwhile; release already ran
      }
      if (ar.failed()) {
        subscriptions.remove(channel);
        release(sub);
        return Future.succeededFuture(() -> session.replyError(replyId, ar.cause()));
      }
      return Future.succeededFuture(() -> goLive(since, replyId, byServer, sub, ar.result()));
    }));
  }

  private Future<Void> enterPresence(Subscription sub) {
    if (!sub.options.presence()) {
      return Future.succeededFuture();
    }
    Principal p = session.principal();
    sub.joined = true;
    return node.presence().join(sub.name, session.id(), new PresenceMember(p.user(), p.device(), node.nodeId()));
  }

  /**
   * Writes the presence entries of the subscriptions that had joined, with a join event: the node
   * that removed them sent the channel a leave.
   */
  void enterPresenceAgain() {
    Principal p = session.principal();
    for (Subscription sub : subscriptions.all()) {
      if (sub.joined) {
        node.presence().join(sub.name, session.id(), new PresenceMember(p.user(), p.device(), node.nodeId()));
      }
    }
  }

  /** Sends the ack, then the recovered messages, then what arrived meanwhile, then goes live. */
  private void goLive(ClientFrame.Since since, Object replyId, boolean byServer, Subscription sub, HistoryPage page) {
    if (subscriptions.get(sub.name) != sub) {
      return;
    }
    StreamPosition position = page.position();
    boolean sameEpoch = since != null && (since.epoch() == null || since.epoch().equals(position.epoch()));
    boolean recovered = since != null && sub.options.persistent() && sameEpoch && page.complete();
    JsonObject result = new JsonObject().put("channel", sub.name).put("offset", position.offset())
        .put("epoch", position.epoch()).put("recovered", recovered);
    if (replyId != null) {
      session.send(FrameCodec.ack(replyId, result));
    } else if (byServer) {
      session.send(FrameCodec.subscribed(result));
    }
    if (sameEpoch) {
      for (Delivery missed : page.entries()) {
        session.sendShared(missed.frame());
      }
    }
    sub.lastOffset = position.offset();
    sub.epoch = position.epoch();
    subscriptions.goLive(sub);
  }

  private Future<JsonObject> unsubscribe(String channel) {
    Subscription existing = subscriptions.get(channel);
    if (existing != null && existing.inbox != null) {
      throw ChatException.badRequest("a connection's inbox is not a channel to leave");
    }
    Subscription sub = subscriptions.remove(channel);
    if (sub == null) {
      return Future.failedFuture(new ChatException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to '" + channel + "'"));
    }
    return release(sub).map(v -> new JsonObject().put("channel", channel));
  }

  /**
   * Undoes what a subscription holds: its place in the fan-out, its slot, its presence. The Future
   * completes when all of it is undone, so that an unsubscribe's ack means the slot is free.
   */
  Future<Void> release(Subscription sub) {
    List<Future<?>> undone = new java.util.ArrayList<>(3);
    channels.remove(sub.name, sub);
    if (sub.slotAcquired) {
      sub.slotAcquired = false;
      undone.add(node.cluster().release(ChannelOptions.subscriberCounter(sub.name)));
    }
    if (sub.joined) {
      sub.joined = false;
      undone.add(node.presence().leave(sub.name, session.id()));
    }
    if (sub.countedReader) {
      sub.countedReader = false;
      undone.add(node.cluster().release(Inboxes.readers(sub.name)));
    }
    return Future.join(undone).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Future<Void> acquireSlot(Subscription sub) {
    int max = sub.options.maxClients();
    if (max <= 0) {
      return Future.succeededFuture();
    }
    return node.cluster().tryAcquire(ChannelOptions.subscriberCounter(sub.name), max).compose(ok -> {
      if (!ok) {
        return Future.failedFuture(new ChatException(ErrorCode.CHANNEL_FULL,
            "channel '" + sub.name + "' is full (" + max + " subscribers)"));
      }
      if (subscriptions.get(sub.name) != sub) {
        node.cluster().release(ChannelOptions.subscriberCounter(sub.name)); // unsubscribed while we waited
      } else {
        sub.slotAcquired = true;
      }
      return Future.succeededFuture();
    });
  }

  // ------------------------------------------------------------------ publish / event / send

  /**
   * Takes effect once the message.received hooks passed and the message is handed to the node's
   * ordered path; the next command starts then, without waiting for the offset. That keeps one
   * connection's publishes in order on every node while a burst of them is pipelined.
   */
  private Step publish(ClientFrame.Publish frame) {
    String channel = frame.channel();
    ChannelOptions options = node.catalog().resolve(channel);
    requireSubscribed(channel);
    if (!options.clientPublish()) {
      throw ChatException.forbidden("clients may not publish on '" + channel + "'");
    }
    if (!node.publishBudget().tryPublish(channel)) {
      throw new ChatException(ErrorCode.RATE_LIMITED, "channel '" + channel + "' takes at most "
          + node.config().security().channelPublishRate() + " publishes per second");
    }
    Future<Void> hooks = node.hooks().messageReceived(new ReceivedMessage(session.info(), channel, frame.data()));
    Future<Future<Long>> handedOver = hooks.map(v -> frame.key() == null
        ? node.outbound().publish(channel, options, frame.data(), sender())
        : node.outbound().publishOnce(channel, options, frame.data(), sender(), senderKey(frame.key()),
            node.config().inbox().publishKeyTtl()));
    Future<JsonObject> result = handedOver.compose(offset -> offset)
        .map(offset -> new JsonObject().put("channel", channel).put("offset", offset));
    return new Step(handedOver, reply(frame.id(), result));
  }

  private Future<JsonObject> event(ClientFrame.Event frame) {
    String name = frame.name();
    if (name.isEmpty() || name.length() > MAX_EVENT_NAME) {
      throw ChatException.badRequest("field 'name' must be 1 to " + MAX_EVENT_NAME + " characters");
    }
    String channel = frame.channel();
    if (channel != null) {
      ChannelOptions options = node.catalog().resolve(channel);
      requireSubscribed(channel);
      if (!options.clientPublish()) {
        throw ChatException.forbidden("clients may not send events on '" + channel + "'");
      }
    } else if (!node.hooks().hasEventHandler(name)) {
      throw new ChatException(ErrorCode.NOT_FOUND, "no handler for event '" + name + "' and no channel given");
    }
    return node.hooks().eventReceived(new ReceivedEvent(session.info(), name, channel, frame.data()))
        .compose(handled -> {
          JsonObject result = new JsonObject().put("name", name);
          if (channel == null) {
            return Future.succeededFuture(result.mergeIn(handled));
          }
          result.put("channel", channel).mergeIn(handled);
          return emit(channel, FrameCodec.event(name, channel, frame.data(), sender())).map(v -> result);
        });
  }

  private Future<JsonObject> send(ClientFrame.Send frame) {
    ClientFrame.Target to = frame.to();
    if (node.config().inbox().enabled()) {
      return mail().send(to.user(), to.device(), frame.data(), sender(), frame.receipt());
    }
    if (frame.receipt()) {
      throw ChatException.badRequest("receipts need the inbox (inbox.enabled)");
    }
    Direct target = new Direct(to.user(), to.device(), FrameCodec.direct(frame.data(), sender()));
    return node.outbound().sendDirect(target).compose(delivered -> delivered > 0
        ? Future.succeededFuture(new JsonObject().put("delivered", delivered))
        : Future.failedFuture(new ChatException(ErrorCode.NOT_FOUND, target.describe() + " is not connected")));
  }

  // ------------------------------------------------------------------ presence / history

  private Future<JsonObject> presence(String channel) {
    ChannelOptions options = node.catalog().resolve(channel);
    if (!options.presence()) {
      throw ChatException.badRequest("presence is not enabled on channel '" + channel + "': declare the channel "
          + "(or a prefix* pattern) with 'presence: true' under 'channels' in the --config file (see config/example.yaml)");
    }
    return checkAccess(channel, options).compose(v -> node.presence().members(channel)).map(members -> {
      JsonArray list = new JsonArray();
      for (PresenceMember m : members) {
        list.add(FrameCodec.presenceMember(m.user(), m.device(), m.node()));
      }
      return new JsonObject().put("channel", channel).put("count", members.size()).put("members", list);
    });
  }

  private Future<JsonObject> history(ClientFrame.History frame) {
    String channel = frame.channel();
    ChannelOptions options = node.catalog().resolve(channel);
    if (!options.persistent()) {
      throw ChatException.badRequest("channel '" + channel + "' is not persistent: it keeps no history; declare the "
          + "channel (or a prefix* pattern) with 'persistent: true' under 'channels' in the --config file "
          + "(see config/example.yaml)");
    }
    int limit = frame.limit() == null ? options.historySize() : Math.min(frame.limit(), options.historySize());
    Long since = frame.since() == null ? null : frame.since().offset();
    return checkAccess(channel, options)
        .compose(v -> node.history().read(channel, since, limit, options))
        .map(page -> {
          String epoch = frame.since() == null ? null : frame.since().epoch();
          if (epoch != null && !epoch.equals(page.position().epoch())) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "since.epoch '" + epoch + "' is not the channel's epoch '"
                + page.position().epoch() + "': its history restarted, so offsets of the old epoch mean nothing; "
                + "ask without since (or subscribe with it: recovered is false)");
          }
          JsonArray messages = new JsonArray();
          for (Delivery e : page.entries()) {
            messages.add(FrameCodec.decodeServerFrame(e.frame()));
          }
          return new JsonObject().put("channel", channel).put("epoch", page.position().epoch())
              .put("offset", page.position().offset()).put("messages", messages);
        });
  }

  // ------------------------------------------------------------------ inbox

  /**
   * With the inbox on, an authenticated connection reads its user's inbox and its device's: what the
   * device has not acknowledged follows, in order, before anything live of them, and then what
   * arrives. Run as the connection's first step after the welcome. Anonymous connections have none
   * (their identity is the connection's own).
   */
  Step startInbox() {
    Principal p = session.principal();
    if (!node.config().inbox().enabled() || p == null || p.anonymous() || inboxes > 0) {
      return Step.done(() -> { });
    }
    inboxes = 2;
    Future<Runnable> user = openInbox(Inboxes.USER, Inboxes.ofUser(p.user()), p.device());
    Future<Runnable> device = openInbox(Inboxes.DEVICE, Inboxes.ofDevice(p.device()), p.device());
    return Step.serial(Future.join(user, device).transform(ar -> Future.succeededFuture(() -> {
      for (Future<Runnable> f : List.of(user, device)) {
        if (f.succeeded()) {
          f.result().run();
        } else {
          session.replyError(null, new ChatException(ErrorCode.UNAVAILABLE,
              "the inbox cannot be read now: what it holds comes on the next connection"));
        }
      }
    })));
  }

  private Future<Runnable> openInbox(String kind, String inbox, String device) {
    ChannelOptions options = node.config().inbox().channelOptions();
    Subscription sub = new Subscription(inbox, options);
    sub.inbox = kind;
    subscriptions.add(sub);
    long[] acked = {-1};
    Future<HistoryPage> ready = channels.add(inbox, sub)
        .compose(v -> node.cluster().tryAcquire(Inboxes.readers(inbox), Long.MAX_VALUE))
        .compose(v -> {
          sub.countedReader = subscriptions.get(inbox) == sub;
          if (!sub.countedReader) {
            node.cluster().release(Inboxes.readers(inbox));
          }
          return node.history().read(inbox, 0L, 0, options).map(HistoryPage::position); // the inbox's TTL kept
        })
        .compose(position -> node.inboxPositions().position(inbox, device, position.epoch()))
        .compose(position -> {
          acked[0] = position;
          return node.history().read(inbox, Math.max(0, position), options.historySize(), options);
        });
    return ready.transform(ar -> {
      if (subscriptions.get(inbox) != sub) {
        return Future.succeededFuture(() -> { });
      }
      if (ar.failed()) {
        subscriptions.remove(inbox);
        inboxes--;
        release(sub);
        return Future.failedFuture(ar.cause());
      }
      HistoryPage page = ar.result();
      return Future.succeededFuture(() -> {
        if (subscriptions.get(inbox) != sub) {
          return;
        }
        long since = Math.max(0, acked[0]);
        List<Delivery> entries = page.entries();
        session.send(FrameCodec.inboxOpened(kind, page.position().epoch(), since, page.position().offset()));
        if (!page.complete()) {
          long to = entries.isEmpty() ? page.position().offset() : entries.get(0).offset() - 1;
          if (to > since) {
            session.send(FrameCodec.inboxGap(kind, since + 1, to));
          }
        }
        for (Delivery missed : entries) {
          session.sendShared(missed.frame());
        }
        sub.lastOffset = page.position().offset();
        sub.epoch = page.position().epoch();
        subscriptions.goLive(sub);
      });
    });
  }

  /**
   * A device acknowledges one of its inboxes up to an offset (cumulative): the next connection of
   * the device, on any node, starts after it. The senders that asked for a receipt of a message the
   * acknowledgement newly covers get one in their user inbox, once per device.
   */
  private Future<JsonObject> inboxAck(ClientFrame.InboxAck ack) {
    Principal p = session.principal();
    if (!node.config().inbox().enabled()) {
      throw ChatException.badRequest("the inbox is off on this node (inbox.enabled)");
    }
    String inbox = Inboxes.of(ack.inbox(), p.user(), p.device());
    Subscription sub = subscriptions.get(inbox);
    if (sub == null || sub.epoch == null) {
      throw ChatException.badRequest("no " + ack.inbox() + " inbox on this connection (anonymous, or not read yet)");
    }
    if (ack.offset() > sub.lastOffset) {
      throw ChatException.badRequest("offset " + ack.offset() + " is past the inbox's last (" + sub.lastOffset + ")");
    }
    String epoch = sub.epoch;
    // Receipts before the position moves (each with a key of its own, so a retried ack makes none twice):
    // an ack that fails half-way is retried by the client and loses nothing.
    return node.inboxPositions().position(inbox, p.device(), epoch)
        .compose(before -> before >= ack.offset() ? Future.succeededFuture()
            : mail().receipts(inbox, before, ack.offset(), p.device()))
        .compose(v -> node.inboxPositions().ack(inbox, p.device(), epoch, ack.offset()))
        .map(v -> new JsonObject().put("inbox", ack.inbox()).put("offset", ack.offset()));
  }

  /** Made when used: nothing of the inbox is held per connection. */
  private InboxMail mail() {
    return new InboxMail(node.outbound(), node.cluster(), node.history(), node.config().inbox());
  }

  // ------------------------------------------------------------------ helpers

  /** Channel options {@code auth} and {@code private} for subscribe, presence and history. */
  private Future<Void> checkAccess(String channel, ChannelOptions options) {
    Principal p = session.principal();
    if ((options.auth() || options.privateChannel()) && p.anonymous()) {
      return Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED,
          "channel '" + channel + "' requires an authenticated connection"));
    }
    if (!options.privateChannel()) {
      return Future.succeededFuture();
    }
    return node.authenticator().canJoinPrivate(p, channel).compose(ok -> ok
        ? Future.succeededFuture()
        : Future.failedFuture(ChatException.forbidden("not allowed to join private channel '" + channel + "'")));
  }

  private void requireSubscribed(String channel) {
    if (!subscriptions.contains(channel)) {
      throw new ChatException(ErrorCode.NOT_SUBSCRIBED, "subscribe to '" + channel + "' first");
    }
  }

  private Future<Void> emit(String channel, Buffer frame) {
    return node.outbound().emit(channel, frame);
  }

  /**
   * A publish key is its user's: two users' equal keys are two publishes, one user's retry from
   * another device or connection is the same one.
   */
  private String senderKey(String key) {
    return session.principal().user() + "\n" + key;
  }

  private Sender sender() {
    return new Sender(session.principal().user(), session.principal().device());
  }
}
