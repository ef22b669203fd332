package chatcluster.node.testing;

import chatcluster.node.ChatNode;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.config.NodeConfig;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A node started in this JVM on a free loopback port, and the clients connected to it; closes them all. */
public final class TestNode implements AutoCloseable {
  private final Vertx clientVertx = Vertx.vertx();
  private final List<WsClient> clients = new ArrayList<>();
  public final ChatNode node;

  private TestNode(ChatNode node) {
    this.node = node;
  }

  public static TestNode start() {
    return start(c -> {}, b -> {});
  }

  public static TestNode start(Consumer<NodeConfig.Builder> config) {
    return start(config, b -> {});
  }

  /**
   * Starts a node with test defaults (loopback, port 0, claimed identities allowed), then
   * {@code config}, then {@code setup}.
   */
  public static TestNode start(Consumer<NodeConfig.Builder> config, Consumer<ChatNode.Builder> setup) {
    // Tests name their users with ?user= (claimed identities, a development switch); the tests of
    // identity itself switch it off again.
    NodeConfig.Builder cb = NodeConfig.builder().set(ConfigOption.HOST, "127.0.0.1").set(ConfigOption.PORT, 0)
        .set(ConfigOption.AUTH_CLAIMED_IDENTITY, true);
    config.accept(cb);
    ChatNode.Builder nb = ChatNode.builder().config(cb.build());
    setup.accept(nb);
    ChatNode node = nb.build();
    await(node.start());
    return new TestNode(node);
  }

  public int port() {
    return node.port();
  }

  public Vertx clientVertx() {
    return clientVertx;
  }

  public WsClient.Builder client() {
    return WsClient.to(clientVertx, port()).onConnect(this::track);
  }

  /** An anonymous client that has received its welcome. */
  public WsClient open() {
    return client().open();
  }

  public WsClient open(String user) {
    return client().uri("/ws?user=" + user + "&device=" + user + "-d").open();
  }

  public WsClient track(WsClient c) {
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      // Generous: starting and stopping nodes on a loaded two-core machine can take a while.
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // Where it hangs is what the next reader needs: every thread's stack goes to the test's output.
      StringBuilder dump = new StringBuilder("node operation timed out; threads:\n");
      Thread.getAllStackTraces().forEach((t, stack) -> {
        dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
        for (StackTraceElement frame : stack) {
          dump.append("    at ").append(frame).append('\n');
        }
      });
      System.err.println(dump);
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e.getCause() != null ? e.getCause() : e);
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(c -> {
        try {
          c.close();
        } catch (RuntimeException ignored) {
          // already closed
        }
      });
    }
    await(node.stop());
    await(clientVertx.close());
  }
}
