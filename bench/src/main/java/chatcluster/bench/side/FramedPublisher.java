package chatcluster.bench.side;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.ClientWebSocket;
import java.util.ArrayDeque;

/**
 * A publisher over one WebSocket whose frames the target's protocol shapes; the target's reader
 * completes {@code pending} in order as acknowledgements come back.
 */
final class FramedPublisher implements Publisher {
  /** The publish frame of a protocol for a channel, a payload and a request id. */
  interface Framing {
    String frame(String channel, String payload, long id);
  }

  private final ClientWebSocket ws;
  private final Context ctx;
  private final ArrayDeque<Handler<Boolean>> pending;
  private final Framing framing;
  private long id;

  FramedPublisher(ClientWebSocket ws, Context ctx, ArrayDeque<Handler<Boolean>> pending, long firstId,
                  Framing framing) {
    this.ws = ws;
    this.ctx = ctx;
    this.pending = pending;
    this.id = firstId;
    this.framing = framing;
  }

  @Override
  public void publish(String channel, String payload, Handler<Boolean> done) {
    pending.add(done);
    ws.writeTextMessage(framing.frame(channel, payload, id++));
  }

  @Override
  public Context context() {
    return ctx;
  }

  @Override
  public void close() {
    ws.close();
  }
}
