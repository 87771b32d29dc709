package dev.eventmall.common.trace;

import dev.eventmall.common.config.Config;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Tracing of one service: the OpenTelemetry SDK as its autoconfiguration builds it from the {@code OTEL_*} settings
 * (exporter, {@code OTEL_EXPORTER_OTLP_PROTOCOL} {@code grpc} or {@code http/protobuf}, sampler, batch processor,
 * resource...), set on the service's Vert.x instance as its tracer ({@code vertx-opentelemetry}): Vert.x then makes the
 * HTTP server and client spans and those of the SQL, Redis and Cassandra clients, and keeps the current span on the
 * request's or event's duplicated context ({@link Span#current()}).
 * <ul>
 *   <li>On when {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set, or
 *   {@code OTEL_TRACES_EXPORTER} names an exporter, unless {@code OTEL_SDK_DISABLED=true}. Defaults differing from the
 *   SDK's: {@code service.name} = the service, protocol {@code http/protobuf} (port 4318), no metric or log export
 *   (metrics are Prometheus' at {@code /metrics}). Closing the Vert.x instance flushes and shuts the SDK down.</li>
 *   <li>Trace ids only with {@code OTEL_TRACES_EXPORTER=none} and no endpoint (compose's default): the same context
 *   everywhere, so every log line carries a {@code traceId} that follows one order across the services and its events,
 *   but nothing is recorded or exported (sampler {@code always_off}: the spans are non-recording carriers of their
 *   ids).</li>
 *   <li>Off otherwise: no SDK, no tracer on Vert.x, no span object is made; events carry on the traceparent they came
 *   with, if any.</li>
 * </ul>
 * The one thing Vert.x does not do is carry a trace through the outbox and Kafka: {@link #current()} is the W3C
 * traceparent an event is appended with (the outbox row keeps it), the relay's PRODUCER span continues it
 * ({@link #start}), and the consumer's CONSUMER span continues the record's {@code traceparent} header.
 */
public final class Tracing {
  public static final String HEADER = "traceparent";
  public static final String OTEL_EXPORTER_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  public static final String OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  public static final String OTEL_TRACES_EXPORTER = "OTEL_TRACES_EXPORTER";
  public static final String OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED";
  public static final String OTEL_SERVICE_NAME = "OTEL_SERVICE_NAME";
  public static final String OTEL_BSP_SCHEDULE_DELAY = "OTEL_BSP_SCHEDULE_DELAY";
  public static final String OTEL_EXPORTER_OTLP_PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";

  private static final Tracing OFF = new Tracing(null);
  private static final Map<Vertx, Tracing> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of(HEADER);
    }

    @Override
    public String get(String carrier, String key) {
      return HEADER.equals(key) ? carrier : null;
    }
  };

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk == null ? null : sdk.getTracer("dev.eventmall");
  }

  /** Tracing off. */
  public static Tracing off() {
    return OFF;
  }

  /**
   * Tracing per the {@code OTEL_*} settings of {@code config} (see the class comment); {@link #off()} when none turns
   * it on.
   *
   * @throws Config.ConfigException when the SDK's autoconfiguration refuses a setting
   */
  public static Tracing from(Config config, String service) {
    Map<String, String> otel = config.startingWith("OTEL_");
    boolean endpoint = otel.containsKey(OTEL_EXPORTER_OTLP_ENDPOINT) || otel.containsKey(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    boolean exporter = otel.containsKey(OTEL_TRACES_EXPORTER) && !"none".equals(otel.get(OTEL_TRACES_EXPORTER));
    // OTEL_TRACES_EXPORTER=none without an endpoint: trace ids only (see the class comment)
    boolean idsOnly = !endpoint && "none".equals(otel.get(OTEL_TRACES_EXPORTER));
    if (!(endpoint || exporter || idsOnly) || "true".equalsIgnoreCase(otel.get(OTEL_SDK_DISABLED))) {
      return OFF;
    }
    Map<String, String> defaults = new HashMap<>(Map.of("otel.service.name", service,
      "otel.exporter.otlp.protocol", "http/protobuf", "otel.metrics.exporter", "none", "otel.logs.exporter", "none"));
    if (idsOnly) {
      // nothing is recorded: spans are only the carriers of their ids (no attributes, no events, nothing queued)
      defaults.put("otel.traces.sampler", "always_off");
    }
    Map<String, String> own = new HashMap<>();
    otel.forEach((key, value) -> own.put(key.toLowerCase(Locale.ROOT).replace('_', '.'), value));
    if (endpoint && "none".equals(otel.get(OTEL_TRACES_EXPORTER))) {
      // compose passes OTEL_TRACES_EXPORTER=none by default: an endpoint given on top of it means "export there"
      own.remove("otel.traces.exporter");
    }
    try {
      return new Tracing(AutoConfiguredOpenTelemetrySdk.builder()
        .disableShutdownHook()
        .addPropertiesSupplier(() -> defaults)
        // the service's own settings win over the JVM's (devstack runs six services in one JVM, each with its own)
        .addPropertiesCustomizer(jvm -> own)
        .build().getOpenTelemetrySdk());
    } catch (RuntimeException e) {
      throw new Config.ConfigException("OTEL_* settings: " + e.getMessage());
    }
  }

  /** Whether spans are made (and exported). */
  public boolean enabled() {
    return sdk != null;
  }

  /** The SDK's tracer; null when off. */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * A Vert.x builder with {@code options}, and this tracing as its tracer when on; register what it builds
   * ({@link #register}) so that the outbox relay and the Kafka bridge find it.
   */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    if (sdk == null) {
      return Vertx.builder().with(options);
    }
    return Vertx.builder().with(options.setTracingOptions(new OpenTelemetryOptions()))
      .withTracer(tracingOptions -> new ClosingTracer<>(new OpenTelemetryTracingFactory(sdk).tracer(tracingOptions), sdk));
  }

  /** Remembers this tracing as {@code vertx}'s ({@link #of}). */
  public Vertx register(Vertx vertx) {
    if (sdk != null) {
      BY_VERTX.put(vertx, this);
    }
    return vertx;
  }

  /** The tracing {@code vertx} was built with, or {@link #off()}. */
  public static Tracing of(Vertx vertx) {
    Tracing tracing = vertx == null ? null : BY_VERTX.get(vertx);
    return tracing != null ? tracing : OFF;
  }

  /** The traceparent of the current span (the request's, the event handling's), or null outside one. */
  public static String current() {
    return traceparent(Span.current().getSpanContext());
  }

  /** The W3C traceparent of {@code span}, or null when it is not valid. */
  public static String traceparent(SpanContext span) {
    if (!span.isValid()) {
      return null;
    }
    String[] out = new String[1];
    W3C.inject(Context.root().with(Span.wrap(span)), out, (carrier, key, value) -> {
      if (HEADER.equals(key)) {
        carrier[0] = value;
      }
    });
    return out[0];
  }

  /** The span context {@code traceparent} names (invalid when it is null or malformed). */
  public static SpanContext spanContext(String traceparent) {
    if (traceparent == null) {
      return SpanContext.getInvalid();
    }
    return Span.fromContext(W3C.extract(Context.root(), traceparent.trim(), TRACEPARENT)).getSpanContext();
  }

  /**
   * Starts a span of {@code kind} whose parent is {@code parent} (a traceparent; a root span when it is null or
   * malformed); {@link Span#getInvalid()} when tracing is off.
   */
  public Span start(SpanKind kind, String name, String parent) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    SpanContext parentContext = spanContext(parent);
    return tracer.spanBuilder(name).setSpanKind(kind)
      .setParent(parentContext.isValid() ? Context.root().with(Span.wrap(parentContext)) : Context.root())
      .startSpan();
  }

  /** Vert.x's OpenTelemetry tracer, shutting the SDK down (after a flush) when the Vert.x instance closes. */
  private record ClosingTracer<I, O>(VertxTracer<I, O> tracer, OpenTelemetrySdk sdk) implements VertxTracer<I, O> {
    @Override
    public <R> I receiveRequest(io.vertx.core.Context context, io.vertx.core.spi.tracing.SpanKind kind,
                                io.vertx.core.tracing.TracingPolicy policy, R request, String operation,
                                Iterable<Map.Entry<String, String>> headers,
                                io.vertx.core.spi.tracing.TagExtractor<R> tagExtractor) {
      return tracer.receiveRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }

    @Override
    public <R> void sendResponse(io.vertx.core.Context context, R response, I payload, Throwable failure,
                                 io.vertx.core.spi.tracing.TagExtractor<R> tagExtractor) {
      tracer.sendResponse(context, response, payload, failure, tagExtractor);
    }

    @Override
    public <R> O sendRequest(io.vertx.core.Context context, io.vertx.core.spi.tracing.SpanKind kind,
                             io.vertx.core.tracing.TracingPolicy policy, R request, String operation,
                             java.util.function.BiConsumer<String, String> headers,
                             io.vertx.core.spi.tracing.TagExtractor<R> tagExtractor) {
      return tracer.sendRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }

    @Override
    public <R> void receiveResponse(io.vertx.core.Context context, R response, O payload, Throwable failure,
                                    io.vertx.core.spi.tracing.TagExtractor<R> tagExtractor) {
      tracer.receiveResponse(context, response, payload, failure, tagExtractor);
    }

    @Override
    public void close() {
      sdk.close();
    }
  }
}
