package chatcluster.node.hooks;

import chatcluster.node.runtime.Contexts;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** The registered hooks of a node, run in registration order; a hook that throws counts as failed. */
public final class NodeHooks {
  public static final String CONNECTION_OPEN = "connection.open";
  public static final String CONNECTION_CLOSE = "connection.close";
  public static final String MESSAGE_RECEIVED = "message.received";

  private final List<ConnectionHook> opened = new CopyOnWriteArrayList<>();
  private final List<ConnectionHook> closed = new CopyOnWriteArrayList<>();
  private final List<MessageHook> messages = new CopyOnWriteArrayList<>();
  private final Map<String, List<MessageHook>> channelMessages = new ConcurrentHashMap<>();
  private final Map<String, List<EventHandler>> events = new ConcurrentHashMap<>();

  public void onConnectionOpen(ConnectionHook hook) {
    opened.add(hook);
  }

  public void onConnectionClose(ConnectionHook hook) {
    closed.add(hook);
  }

  public void onMessageReceived(MessageHook hook) {
    messages.add(hook);
  }

  public void onMessageReceived(String channel, MessageHook hook) {
    channelMessages.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(hook);
  }

  public void onEvent(String name, EventHandler handler) {
    events.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(handler);
  }

  public Future<Void> connectionOpened(ConnectionInfo connection) {
    return chain(opened, h -> h.handle(connection));
  }

  public Future<Void> connectionClosed(ConnectionInfo connection) {
    return chain(closed, h -> h.handle(connection));
  }

  /** Global hooks first, then the channel's; the first rejection wins. Failures become client errors. */
  public Future<Void> messageReceived(ReceivedMessage message) {
    return chain(messages, h -> h.handle(message))
        .compose(v -> chain(channelMessages.getOrDefault(message.channel(), List.of()), h -> h.handle(message)))
        .recover(NodeHooks::asRejection);
  }

  public boolean hasEventHandler(String name) {
    return events.containsKey(name);
  }

  /** Runs the event's handlers and merges their results; failures become client errors. */
  public Future<JsonObject> eventReceived(ReceivedEvent event) {
    JsonObject merged = new JsonObject();
    return chain(events.getOrDefault(event.name(), List.of()), h -> h.handle(event).map(r -> {
      if (r != null) {
        merged.mergeIn(r);
      }
      return (Void) null;
    })).map(v -> merged).recover(e -> asRejection(e).mapEmpty());
  }

  /**
   * Runs the hooks one after another. Each hook's Future is brought back to the caller's context: an
   * embedder may complete it on any thread, while the session that waits for it is confined to its
   * event loop (and its socket is written from there only).
   */
  private static <H> Future<Void> chain(List<H> hooks, Function<H, Future<Void>> call) {
    Future<Void> f = Future.succeededFuture();
    for (H hook : hooks) {
      f = f.compose(v -> {
        try {
          Future<Void> r = call.apply(hook);
          return r == null ? Future.succeededFuture() : Contexts.onCaller(r);
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      });
    }
    return f;
  }

  private static Future<Void> asRejection(Throwable e) {
    if (e instanceof ChatException) {
      return Future.failedFuture(e);
    }
    String message = e.getMessage() == null ? "rejected" : e.getMessage();
    return Future.failedFuture(new ChatException(ErrorCode.FORBIDDEN, message));
  }
}
