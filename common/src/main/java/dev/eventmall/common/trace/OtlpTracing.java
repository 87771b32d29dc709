package dev.eventmall.common.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK behind an enabled {@link Tracing}: a tracer provider whose spans take the ids
 * {@link TraceContext} chose (through {@link PresetIds}), a {@code BatchSpanProcessor} and the OTLP/HTTP exporter
 * (protobuf, the JDK HTTP client). Loaded only when an endpoint is configured.
 */
final class OtlpTracing implements Tracing {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final String endpoint;
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  OtlpTracing(String endpoint, String serviceName, long scheduleDelayMs) {
    this.endpoint = endpoint;
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint)
      .setTimeout(Duration.ofSeconds(10)).build();
    this.provider = SdkTracerProvider.builder()
      .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
      .setIdGenerator(PresetIds.INSTANCE)
      // a sampled parent (every traceparent TraceContext makes) is recorded; a root is too
      .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
      .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(scheduleDelayMs, TimeUnit.MILLISECONDS)
        .build())
      .build();
    this.tracer = provider.get("dev.eventmall");
  }

  String endpoint() {
    return endpoint;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Span start(Kind kind, String name, String traceparent, String parentSpanId) {
    if (!TraceContext.valid(traceparent)) {
      return Tracing.noop().start(kind, name, traceparent, parentSpanId);
    }
    String traceId = TraceContext.traceId(traceparent);
    String spanId = TraceContext.spanId(traceparent);
    SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(switch (kind) {
      case SERVER -> SpanKind.SERVER;
      case PRODUCER -> SpanKind.PRODUCER;
      case CONSUMER -> SpanKind.CONSUMER;
    });
    TraceFlags flags = TraceFlags.fromHex(traceparent.trim().toLowerCase(Locale.ROOT), 53);
    if (parentSpanId != null && !parentSpanId.equals(spanId)) {
      SpanContext parent = SpanContext.createFromRemoteParent(traceId, parentSpanId, flags, TraceState.getDefault());
      builder.setParent(Context.root().with(io.opentelemetry.api.trace.Span.wrap(parent)));
    } else {
      builder.setNoParent();
    }
    return new SdkSpan(PresetIds.start(builder, traceId, spanId));
  }

  /** Flushes what is queued, then stops the exporter and its thread. */
  Future<Void> shutdown() {
    Promise<Void> done = Promise.promise();
    CompletableResultCode result = provider.shutdown();
    result.whenComplete(done::tryComplete);
    return done.future();
  }

  /**
   * Hands the SDK the ids of the span being started on this thread (the SDK asks its id generator for a span id, and
   * for a trace id when the span is a root); other calls get random ids.
   */
  static final class PresetIds implements IdGenerator {
    static final PresetIds INSTANCE = new PresetIds();
    private static final ThreadLocal<String[]> NEXT = new ThreadLocal<>();

    static io.opentelemetry.api.trace.Span start(SpanBuilder builder, String traceId, String spanId) {
      NEXT.set(new String[] {traceId, spanId});
      try {
        return builder.startSpan();
      } finally {
        NEXT.remove();
      }
    }

    @Override
    public String generateSpanId() {
      String[] next = NEXT.get();
      return next != null ? next[1] : IdGenerator.random().generateSpanId();
    }

    @Override
    public String generateTraceId() {
      String[] next = NEXT.get();
      return next != null ? next[0] : IdGenerator.random().generateTraceId();
    }
  }

  private record SdkSpan(io.opentelemetry.api.trace.Span span) implements Span {
    @Override
    public Span rename(String name) {
      span.updateName(name);
      return this;
    }

    @Override
    public Span set(String key, String value) {
      if (value != null) {
        span.setAttribute(key, value);
      }
      return this;
    }

    @Override
    public Span set(String key, long value) {
      span.setAttribute(key, value);
      return this;
    }

    @Override
    public void end() {
      span.end();
    }

    @Override
    public void fail(String description) {
      span.setStatus(StatusCode.ERROR, description == null ? "" : description);
      span.end();
    }
  }
}
