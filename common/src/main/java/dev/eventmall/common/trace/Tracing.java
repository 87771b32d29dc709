package dev.eventmall.common.trace;

import dev.eventmall.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Span export for one Vert.x instance (one service). The ids of every span are the ones {@link TraceContext} already
 * propagates (HTTP request span, event span in the outbox row and the Kafka header, consumer span), so what a collector
 * receives is the same trace the events carry; there is no second propagation.
 * <ul>
 *   <li>{@code OTEL_EXPORTER_OTLP_ENDPOINT} (base URL, {@code /v1/traces} is appended) or
 *   {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (used as is) set: spans go over OTLP/HTTP (protobuf) through a
 *   {@code BatchSpanProcessor} ({@code OTEL_BSP_SCHEDULE_DELAY} ms, default 5000); resource attribute
 *   {@code service.name} = {@code OTEL_SERVICE_NAME}, default the service's name. Closing the Vert.x instance flushes
 *   and shuts the exporter down.</li>
 *   <li>Neither set (or {@code OTEL_SDK_DISABLED=true}): {@link #noop()}; no SDK class is loaded, no span object is
 *   made, no thread is started. Callers test {@link #enabled()} once and register nothing.</li>
 * </ul>
 * Only {@code http/protobuf} is supported as {@code OTEL_EXPORTER_OTLP_PROTOCOL}; another value fails the start.
 * <pre>{@code
 * Tracing.install(vertx, config, "order");            // ServiceMain, devstack Platform
 * Tracing tracing = Tracing.of(vertx);                  // HttpBootstrap, OutboxRelay, EventHandlers
 * if (tracing.enabled()) {
 *   Tracing.Span span = tracing.start(Tracing.Kind.CONSUMER, "order.events process", traceparent, parentSpanId);
 *   ... span.set("messaging.system", "kafka").end();
 * }
 * }</pre>
 */
public interface Tracing {
  String OTEL_EXPORTER_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  String OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  String OTEL_EXPORTER_OTLP_PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
  String OTEL_SERVICE_NAME = "OTEL_SERVICE_NAME";
  String OTEL_BSP_SCHEDULE_DELAY = "OTEL_BSP_SCHEDULE_DELAY";
  String OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED";

  /** The span kinds the platform records. */
  enum Kind { SERVER, PRODUCER, CONSUMER }

  /** A started span; {@link #end()} or {@link #fail(String)} exactly once. */
  interface Span {
    /** Replaces the name given at start (a server span learns its route template only once routed). */
    Span rename(String name);

    Span set(String key, String value);

    Span set(String key, long value);

    /** Ends the span with status UNSET (OK). */
    void end();

    /** Ends the span with status ERROR and {@code description}. */
    void fail(String description);
  }

  /** Whether spans are exported; when false {@link #start} must not be called (it answers a span that drops all). */
  boolean enabled();

  /**
   * Starts a span now whose own context is {@code traceparent} (its trace id and span id are used as they are) and
   * whose parent is {@code parentSpanId} of the same trace, or none (a root span) when null.
   */
  Span start(Kind kind, String name, String traceparent, String parentSpanId);

  /** The tracing that records nothing. */
  static Tracing noop() {
    return Noop.INSTANCE;
  }

  /** A span that records nothing, for code that holds a span whether or not tracing is on. */
  static Span noSpan() {
    return Noop.INSTANCE;
  }

  /**
   * Tracing of {@code vertx} per the {@code OTEL_*} settings of {@code config} (see the class comment), remembered for
   * {@link #of(Vertx)}; installing twice answers the first. Its exporter is shut down, after a flush, when
   * {@code vertx} closes.
   *
   * @throws Config.ConfigException on a malformed endpoint or an unsupported protocol
   */
  static Tracing install(Vertx vertx, Config config, String service) {
    synchronized (Registry.BY_VERTX) {
      Tracing existing = Registry.BY_VERTX.get(vertx);
      if (existing != null) {
        return existing;
      }
      Tracing tracing = Registry.create(config, service);
      if (tracing.enabled()) {
        OtlpTracing otlp = (OtlpTracing) tracing;
        ((VertxInternal) vertx).addCloseHook(completion -> otlp.shutdown().onComplete(completion));
        Registry.LOG.info("{}: exporting spans over OTLP/HTTP to {}", service, otlp.endpoint());
      }
      Registry.BY_VERTX.put(vertx, tracing);
      return tracing;
    }
  }

  /** The tracing installed for {@code vertx}, or {@link #noop()}. */
  static Tracing of(Vertx vertx) {
    Tracing tracing = vertx == null ? null : Registry.BY_VERTX.get(vertx);
    return tracing != null ? tracing : Noop.INSTANCE;
  }

  /** Holder of the per-Vert.x registry (interfaces have no private static fields). */
  final class Registry {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    private static final Map<Vertx, Tracing> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

    private Registry() {
    }

    static Tracing create(Config config, String service) {
      if ("true".equalsIgnoreCase(config.get(OTEL_SDK_DISABLED, "false"))) {
        return Noop.INSTANCE;
      }
      String endpoint = config.optional(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
        .map(e -> config.getHttpUrl(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e))
        .orElseGet(() -> config.optional(OTEL_EXPORTER_OTLP_ENDPOINT)
          .map(e -> config.getHttpUrl(OTEL_EXPORTER_OTLP_ENDPOINT, e) + "/v1/traces").orElse(null));
      if (endpoint == null) {
        return Noop.INSTANCE;
      }
      String protocol = config.get(OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf");
      if (!"http/protobuf".equals(protocol)) {
        throw new Config.ConfigException(OTEL_EXPORTER_OTLP_PROTOCOL + " must be http/protobuf (the only one supported), got '"
          + protocol + "'");
      }
      long delayMs = config.getLong(OTEL_BSP_SCHEDULE_DELAY, 5_000);
      if (delayMs <= 0) {
        throw new Config.ConfigException(OTEL_BSP_SCHEDULE_DELAY + " must be positive, got " + delayMs);
      }
      return new OtlpTracing(endpoint, config.get(OTEL_SERVICE_NAME, service), delayMs);
    }
  }

  /** Records nothing. */
  final class Noop implements Tracing, Span {
    static final Noop INSTANCE = new Noop();

    private Noop() {
    }

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public Span start(Kind kind, String name, String traceparent, String parentSpanId) {
      return this;
    }

    @Override
    public Span rename(String name) {
      return this;
    }

    @Override
    public Span set(String key, String value) {
      return this;
    }

    @Override
    public Span set(String key, long value) {
      return this;
    }

    @Override
    public void end() {
    }

    @Override
    public void fail(String description) {
    }
  }
}
