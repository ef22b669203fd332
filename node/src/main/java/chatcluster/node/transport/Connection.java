package chatcluster.node.transport;

import chatcluster.node.ops.NodeMetrics;
import chatcluster.node.protocol.CloseCode;
import chatcluster.node.protocol.FrameLog;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.VoidChannelPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket as the node writes to it: every write, the bounded send queue, reading
 * pauses, heartbeat pings and the close. Frames read are handed to the {@link Listener}. A client
 * without WebSockets may instead be carried by an HTTP fallback session ({@link Carrier}): the same
 * connection to the session above it, with whole messages both ways.
 *
 * <p>Threading: confined to the event loop the socket was accepted on.
 */
public final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /**
   * A refusal (bad credential, full node) closes this long after the upgrade: a close frame in the
   * same read as the 101 makes some clients (Vert.x's) fail the connect without the close code.
   */
  public static final long REFUSAL_DELAY_MS = 50;
  /**
   * How long a close the node started may wait for the peer before the TCP connection is dropped: a
   * peer that stopped reading never gets the close frame (it waits behind what fills the socket's
   * buffers), so it never answers it and its place, its buffers and the kernel's would stay.
   */
  static final long CLOSE_DEADLINE_MS = 3000;
  /**
   * How many more deadlines a close gets while the peer is still reading what waits before the close
   * frame (the node's unsent bytes went down since the last one): a slow but live reader gets its
   * close code, within 30 s in all.
   */
  static final int CLOSE_EXTENSIONS = 9;
  /**
   * The largest message frames are joined into (a larger frame goes alone): under what clients
   * commonly accept per message (Vert.x's client: 256 KB), and big enough that chat frames of a
   * hundred bytes or so leave some hundreds per message.
   */
  static final int MAX_JOINED = 65536;

  /** What a connection reports to the session above it. */
  public interface Listener {
    /** Whether to take the message that starts now (rate limits); a refused one is skipped undecoded. */
    boolean admit();

    void handleText(String text);

    void handleClosed();
  }

  private final Vertx vertx;
  /** The WebSocket, or null for a connection over an HTTP fallback {@link #carrier}. */
  private final ServerWebSocket ws;
  /** The HTTP fallback session this connection runs over, or null for a WebSocket. */
  private final Carrier carrier;
  private final String id;
  private final String remoteAddress;
  private final NodeMetrics metrics;
  private final Runnable onClosed;
  private final FlushBatch batch;
  /** The socket's place in the Netty pipeline, for shared frames written as they are; null if not reachable. */
  private final ChannelHandlerContext channel;
  /**
   * Where whole frames enter the pipeline: the socket itself for plain connections (nothing between
   * the WebSocket layer and the socket has work to do on them), below the WebSocket encoder for TLS
   * (the TLS handler encrypts them). Null when {@link #channel} is.
   */
  private final Channel.Unsafe socket;
  private final ChannelHandlerContext belowEncoder;
  /** Completion of shared writes: nobody waits for them and a failure (socket gone) is not an error here. */
  private final VoidChannelPromise quietPromise;
  private boolean inBatch;
  /** Whether the client takes several server frames per WebSocket frame (newline-separated; docs/protocol.md). */
  private final boolean batched;
  /**
   * A batched connection's fan-out frames not written yet: the first and last of its chain in the
   * loop's {@link FlushBatch}, -1 when none, and their payload bytes. Three ints, nothing while idle.
   */
  private int heldFirst = -1;
  private int heldLast = -1;
  private int heldBytes;
  private boolean closing;
  private boolean closed;
  private boolean paused;
  private long lastSeen = System.nanoTime();
  /** When the WebSocket was accepted, in seconds after {@link #SECONDS_BASE} (an int: it fits the object's padding). */
  private final int openedAt = (int) (System.currentTimeMillis() / 1000 - SECONDS_BASE);
  private static final long SECONDS_BASE = 1_700_000_000L;

  Connection(Vertx vertx, ServerWebSocket ws, String id, String remoteAddress, int sendQueueMax, NodeMetrics metrics,
             FlushBatch batch, Runnable onClosed) {
    this(vertx, ws, id, remoteAddress, sendQueueMax, metrics, batch, false, onClosed);
  }

  /** A WebSocket; {@code batched}: its client takes several server frames per WebSocket frame. */
  Connection(Vertx vertx, ServerWebSocket ws, String id, String remoteAddress, int sendQueueMax, NodeMetrics metrics,
             FlushBatch batch, boolean batched, Runnable onClosed) {
    this.onClosed = onClosed;
    this.batch = batch;
    LoopConfinedWrites.apply(ws);
    this.channel = ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
    this.quietPromise = channel == null ? null : new VoidChannelPromise(channel.channel(), false);
    if (channel == null) {
      this.socket = null;
      this.belowEncoder = null;
    } else {
      // After the encoder (Vert.x puts it after the decoder): the close frame written there is encoded.
      if (channel.pipeline().context("wsencoder") != null && channel.pipeline().get(ProtocolViolations.NAME) == null) {
        channel.pipeline().addAfter("wsencoder", ProtocolViolations.NAME, new ProtocolViolations(id, metrics));
      }
      ChannelHandlerContext encoder = channel.pipeline().context("wsencoder");
      boolean tls = channel.pipeline().get(SslHandler.class) != null;
      this.socket = tls || encoder == null ? null : channel.channel().unsafe();
      this.belowEncoder = encoder != null ? encoder : channel;
    }
    this.batched = batched && channel != null;
    this.vertx = vertx;
    this.ws = ws;
    this.carrier = null;
    this.id = id;
    this.remoteAddress = remoteAddress;
    this.metrics = metrics;
    ws.setWriteQueueMaxSize(sendQueueMax);
  }

  /** A connection over an HTTP fallback session: no shared wire frames, every write goes through the carrier. */
  Connection(Vertx vertx, Carrier carrier, String id, String remoteAddress, NodeMetrics metrics, FlushBatch batch,
             Runnable onClosed) {
    this.vertx = vertx;
    this.ws = null;
    this.carrier = carrier;
    this.id = id;
    this.remoteAddress = remoteAddress;
    this.metrics = metrics;
    this.batch = batch;
    this.onClosed = onClosed;
    this.channel = null;
    this.quietPromise = null;
    this.socket = null;
    this.belowEncoder = null;
    this.batched = false;
  }

  /**
   * Starts reading: messages are put together by a {@link MessageAssembler} (every limit applied as
   * frames arrive, binary refused with 1003) and whole text messages go to {@code listener}.
   */
  public void listen(Listener listener, int maxMessageSize) {
    if (carrier != null) {
      carrier.activityHandler(() -> lastSeen = System.nanoTime());
      carrier.messageHandler(text -> {
        lastSeen = System.nanoTime();
        if (closing) {
          return;
        }
        if (text.length() > maxMessageSize
            || text.length() * 3L > maxMessageSize && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxMessageSize) {
          close(CloseCode.TOO_LARGE, "message over " + maxMessageSize + " bytes");
        } else if (listener.admit()) {
          listener.handleText(text);
        }
      });
      // As a WebSocket's close handler: later, on the loop, never inside the call that closed it.
      carrier.closeHandler(v -> vertx.runOnContext(x -> {
        closed = true;
        onClosed.run();
        listener.handleClosed();
      }));
      return;
    }
    MessageAssembler assembler = new MessageAssembler(maxMessageSize, false, new MessageAssembler.Sink() {
      @Override
      public boolean admit() {
        return listener.admit();
      }

      @Override
      public void text(String text) {
        listener.handleText(text);
      }

      @Override
      public void refuse(CloseCode code, String reason) {
        close(code, reason);
      }
    });
    ws.frameHandler(frame -> {
      lastSeen = System.nanoTime();
      if (!closing) {
        assembler.frame(frame);
      }
    });
    ws.exceptionHandler(e -> log.debug("connection {}: error: {}", id, e.toString()));
    ws.closeHandler(v -> {
      closed = true;
      assembler.reset();
      onClosed.run();
      listener.handleClosed();
    });
  }

  public String id() {
    return id;
  }

  /** When the WebSocket was accepted, epoch ms to the second. */
  public long openedAt() {
    return (SECONDS_BASE + openedAt) * 1000;
  }

  public String remoteAddress() {
    return remoteAddress;
  }

  /** Whether the client takes several server frames per WebSocket frame, separated by newlines. */
  public boolean batched() {
    return batched;
  }

  /** Whether frames may still be written (no close sent or received). */
  public boolean isOpen() {
    return !closing && !closed && !(carrier != null ? carrier.isClosed() : ws.isClosed());
  }

  /**
   * Writes a frame shared with other receivers. A client whose send queue is full is too slow to
   * follow: it is closed with 4029 rather than buffered without bound.
   */
  public void writeShared(Buffer frame) {
    writeShared(frame, null);
  }

  /**
   * Writes a shared frame; with its {@link WireFrame} ({@code wire}, may be null) the whole frame goes
   * to the socket as it is, no copy and no encode, and inside an open {@link FlushBatch} without a
   * flush of its own. A client whose send queue ({@code sendQueueMax} bytes waiting in the socket's
   * buffer) is full is too slow to follow: it is closed with 4029 rather than buffered without bound.
   */
  public void writeShared(Buffer frame, ByteBuf wire) {
    if (!isOpen()) {
      return;
    }
    if (carrier != null ? carrier.full() : ws.writeQueueFull() || (channel != null && !channel.channel().isWritable())
        || heldBytes > 0 && heldBytes >= channel.channel().bytesBeforeUnwritable()) {
      metrics.slowConsumersClosed.increment();
      log.info("connection {}: closing slow consumer", id);
      heldFirst = -1; // what it holds goes nowhere: the close frame is next
      heldBytes = 0;
      close(CloseCode.RATE_LIMITED, "slow consumer");
      return;
    }
    metrics.framesDelivered.increment();
    if (batched && batch.holds()) {
      hold(frame, wire);
    } else if (wire == null || channel == null) {
      write(frame);
    } else {
      // Vert.x's own writes (replies) reach the same socket on this thread, so the order holds.
      writeWire(wire.retainedDuplicate());
      if (batch.isOpen()) {
        if (!inBatch) {
          inBatch = true;
          batch.add(this);
        }
      } else {
        flushWire();
      }
    }
  }

  /** Holds a fan-out frame in the loop's batch, after those this connection holds already. */
  private void hold(Buffer frame, ByteBuf wire) {
    ByteBuf bytes = wire != null ? wire : ((io.vertx.core.internal.buffer.BufferInternal) frame).getByteBuf();
    int header = wire != null ? headerLength(wire) : 0;
    int at = batch.hold(this, bytes, header, heldFirst < 0);
    if (heldFirst < 0) {
      heldFirst = at;
    } else {
      batch.link(heldLast, at);
    }
    heldLast = at;
    heldBytes += bytes.readableBytes() - header;
  }

  /** The length of the header of an unmasked WebSocket frame the node built ({@link WireFrame}). */
  private static int headerLength(ByteBuf wire) {
    int length = wire.getByte(wire.readerIndex() + 1) & 0x7F;
    return length < 126 ? 2 : length == 126 ? 4 : 10;
  }

  /**
   * Writes what this connection holds as text messages of up to {@link #MAX_JOINED} bytes (a larger
   * frame alone), the frames of each separated by newlines, and flushes. A lone whole frame goes as it
   * is; several are copied into one pooled buffer, which for the small frames of chat costs less than
   * a composite of slices (an object per part, a gathering write). Called by the batch, and before
   * anything else is written to the connection (a reply, a close frame), so nothing overtakes what it
   * holds.
   */
  void writeHeld() {
    int at = heldFirst;
    heldFirst = -1;
    heldLast = -1;
    heldBytes = 0;
    if (at < 0 || closing || closed) {
      return;
    }
    while (at >= 0) {
      int last = at;
      long length = payloadLength(at);
      for (int n = batch.next(last); n >= 0 && length + 1 + payloadLength(n) <= MAX_JOINED; n = batch.next(last)) {
        length += 1 + payloadLength(n);
        last = n;
      }
      writeWire(last == at && batch.header(at) > 0 ? batch.frame(at).retainedDuplicate() : joined(at, last, length));
      at = batch.next(last);
    }
    flushWire();
  }

  private int payloadLength(int at) {
    return batch.frame(at).readableBytes() - batch.header(at);
  }

  /** One text frame of the held frames {@code first} to {@code last}, newline-separated ({@code length} bytes). */
  private ByteBuf joined(int first, int last, long length) {
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf out = channel.alloc().directBuffer((int) (header + length));
    out.writeByte(0x81);
    if (length < 126) {
      out.writeByte((int) length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126).writeShort((int) length);
    } else {
      out.writeByte(127).writeLong(length);
    }
    for (int at = first; ; at = batch.next(at)) {
      ByteBuf part = batch.frame(at);
      int skip = batch.header(at);
      out.writeBytes(part, part.readerIndex() + skip, part.readableBytes() - skip);
      if (at == last) {
        return out;
      }
      out.writeByte('\n');
    }
  }

  private void writeWire(ByteBuf frame) {
    if (socket != null) {
      socket.write(frame, quietPromise);
    } else {
      belowEncoder.write(frame, quietPromise);
    }
  }

  /** The batch this connection was written in is closing. */
  void flushBatched() {
    inBatch = false;
    flushWire();
  }

  private void flushWire() {
    metrics.fanoutFlushes.increment();
    if (socket != null) {
      socket.flush();
    } else {
      belowEncoder.flush();
    }
  }

  /** Writes a frame meant for this client alone (replies, welcome). */
  public void send(Buffer frame) {
    if (isOpen()) {
      if (heldFirst >= 0) {
        writeHeld();
      }
      if (log.isDebugEnabled()) {
        log.debug("connection {}: out {}", id, FrameLog.masked(frame.toString()));
      }
      write(frame);
    }
  }

  /** A write to one connection must never fail another connection's command: a write after close is dropped. */
  private void write(Buffer frame) {
    if (carrier != null) {
      carrier.send(frame);
      return;
    }
    try {
      ws.writeFrame(TextFrames.of(frame));
    } catch (IllegalStateException closedMeanwhile) {
      log.debug("connection {}: write after close dropped", id);
    }
  }

  /** Stops reading from the client (its frames wait in TCP) until {@link #resume()}. */
  public void pause() {
    if (!paused) {
      paused = true;
      if (ws != null) {
        ws.pause(); // an HTTP session's messages are bounded by the frame rate limit instead
      }
    }
  }

  public void resume() {
    if (paused) {
      paused = false;
      if (ws != null) {
        ws.resume();
      }
    }
  }

  /** Pings the client, or closes it when nothing came from it for two intervals. */
  public void heartbeat(long nowNanos, long intervalNanos) {
    if (!isOpen()) {
      return;
    }
    if (nowNanos - lastSeen > 2 * intervalNanos && !paused) {
      log.debug("connection {}: no frame for two heartbeat intervals, closing", id);
      close(CloseCode.NORMAL, "heartbeat timeout");
    } else if (carrier != null) {
      carrier.heartbeat(); // 'h' to a streaming client, which answers with a send: its requests count as heard
    } else {
      ws.writePing(Buffer.buffer());
    }
  }

  /** Closes with a contract close code; reading stops at once, the session learns of the end from its listener. */
  public void close(CloseCode code, String reason) {
    close(code, reason, 0);
  }

  /** Closes a beat after the upgrade (see {@link #REFUSAL_DELAY_MS}). */
  public void refuse(CloseCode code, String reason) {
    close(code, reason, REFUSAL_DELAY_MS);
  }

  /**
   * Closes with a code outside the contract's {@link CloseCode}s (the Pusher adapter's 4000-4299), a
   * beat after the last frame written so that the client reads that frame (e.g. its pusher:error) first.
   */
  public void close(int code, String reason) {
    close((short) code, reason, REFUSAL_DELAY_MS);
  }

  private void close(CloseCode code, String reason, long delayMs) {
    close(code.code(), reason, delayMs);
  }

  private void close(short code, String reason, long delayMs) {
    if (closing || closed) {
      return;
    }
    if (heldFirst >= 0) {
      writeHeld(); // before the close frame, which must be the last
    }
    closing = true;
    String shortReason = reason.length() > 120 ? reason.substring(0, 120) : reason;
    if (carrier != null) {
      if (delayMs <= 0) {
        carrier.close(code, shortReason);
      } else {
        vertx.setTimer(delayMs, t -> carrier.close(code, shortReason));
      }
    } else if (delayMs <= 0) {
      ws.close(code, shortReason);
    } else {
      vertx.setTimer(delayMs, t -> ws.close(code, shortReason));
    }
    if (ws != null && channel != null) {
      long pendingAtClose = pendingBytes(channel.channel());
      vertx.setTimer(delayMs + CLOSE_DEADLINE_MS, t -> dropIfStillOpen(code, pendingAtClose, 0));
    }
  }

  /**
   * Drops a connection whose close did not complete in time. Reset (SO_LINGER 0), so that the kernel
   * discards the unsent bytes at once, and closed at the socket itself, below Vert.x's WebSocket layer,
   * which would otherwise start another close handshake. The session learns of the end as of any other.
   */
  private void dropIfStillOpen(short code, long pendingBefore, int extensions) {
    Channel socketChannel = channel.channel();
    if (closed || !socketChannel.isOpen()) {
      return;
    }
    long pending = pendingBytes(socketChannel);
    if (pending < pendingBefore && extensions < CLOSE_EXTENSIONS) {
      // The peer reads: what waited before the close frame is leaving, the close frame with it.
      vertx.setTimer(CLOSE_DEADLINE_MS, t -> dropIfStillOpen(code, pending, extensions + 1));
      return;
    }
    metrics.closesDropped.increment();
    log.info("connection {}: close ({}) not completed within {} ms (the peer is not reading): dropping it", id, code,
        CLOSE_DEADLINE_MS * (extensions + 1));
    try {
      socketChannel.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      log.debug("connection {}: SO_LINGER not set: {}", id, e.toString());
    }
    socketChannel.unsafe().close(socketChannel.voidPromise());
  }

  /** Bytes the node holds for the socket above the kernel's buffer (Netty's outbound buffer). */
  private static long pendingBytes(Channel socketChannel) {
    io.netty.channel.ChannelOutboundBuffer out = socketChannel.unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }
}
