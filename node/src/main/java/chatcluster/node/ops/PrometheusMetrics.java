package chatcluster.node.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * {@code GET /metrics}: the node's counters and gauges, and the JVM's, in Prometheus text format,
 * every series tagged with the node id. Scraped on the node's event loop (the gauges read state
 * that lives there).
 */
public final class PrometheusMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public PrometheusMetrics(String nodeId, NodeMetrics m, IntSupplier connections, IntSupplier channels,
                           java.util.function.BooleanSupplier ready) {
    registry.config().commonTags("node", nodeId);
    counter("chatcluster.connections.opened", "Connections accepted", m.connectionsOpened);
    counter("chatcluster.messages.published", "Messages published on channels", m.messagesPublished);
    counter("chatcluster.frames.encoded", "Fan-out frames encoded (one per message, event, presence change, send)",
        m.framesEncoded);
    counter("chatcluster.loop.handovers", "Frames the hub handed to an event loop (one per message per loop with subscribers)",
        m.loopHandOvers);
    counter("chatcluster.frames.delivered", "Fan-out frames written to connections", m.framesDelivered);
    counter("chatcluster.fanout.flushes", "Socket flushes of fan-out writes (at most one per connection per loop task)",
        m.fanoutFlushes);
    counter("chatcluster.frames.malformed", "Client frames that could not be decoded", m.malformedFrames);
    counter("chatcluster.slow.consumers.closed", "Connections closed as slow consumers", m.slowConsumersClosed);
    counter("chatcluster.closes.dropped", "Connections reset because the peer did not complete the close in time",
        m.closesDropped);
    counter("chatcluster.redis.messages.in", "Pub/sub messages received from Redis", m.redisMessagesIn);
    counter("chatcluster.redis.messages.out", "Messages published to Redis", m.redisMessagesOut);
    counter("chatcluster.redis.gap.filled", "Messages recovered from history after a Redis reconnect",
        m.redisGapFilled);
    counter("chatcluster.history.catchups", "Subscriptions' catch-up reads asked (position, or what was missed)",
        m.historyCatchUps);
    counter("chatcluster.history.catchup.reads", "Reads sent for catch-ups: those of one channel asked at once share"
        + " one", m.historyCatchUpReads);
    counter("chatcluster.redis.live.gaps", "Live messages that came after a skipped offset: the gap was filled from"
        + " history first", m.liveGaps);
    counter("chatcluster.publishes.refused", "Publishes, events and sends answered unavailable (Redis unreachable)",
        m.publishesRefused);
    Gauge.builder("chatcluster.connections", connections::getAsInt).description("Open connections")
        .register(registry);
    Gauge.builder("chatcluster.channels", channels::getAsInt).description("Channels with subscribers on this node")
        .register(registry);
    Gauge.builder("chatcluster.ready", () -> ready.getAsBoolean() ? 1 : 0)
        .description("1 while /health/ready answers 200").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gc.bindTo(registry);
  }

  private void counter(String name, String description, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
  }

  public void mount(Router router) {
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
  }

  public void close() {
    gc.close();
    registry.close();
  }
}
