package dev.eventmall.common.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A tiny OTLP trace receiver for tests: a Vert.x HTTP server on a free port that accepts both OTLP protocols —
 * {@code POST /v1/traces} (http/protobuf) and the gRPC call {@code TraceService/Export} (grpc, HTTP/2 without TLS) —
 * decodes every {@code ExportTraceServiceRequest} the OpenTelemetry exporter sends, and keeps its spans.
 * <pre>{@code
 * try (OtlpReceiver otlp = OtlpReceiver.start()) {
 *   env.put("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint());
 *   ...
 *   otlp.await("a SERVER span", Duration.ofSeconds(10), s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
 * }
 * }</pre>
 */
public final class OtlpReceiver implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();
  private static final String GRPC_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  /** One received span, ids in lowercase hex (parent empty for a root). */
  public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                             Span.SpanKind kind, Status.StatusCode status, Map<String, Object> attributes) {
    public Object attribute(String key) {
      return attributes.get(key);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> rejected = new CopyOnWriteArrayList<>();
  private volatile int exports;

  private OtlpReceiver() {
    this.vertx = Vertx.vertx();
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setDecompressionSupported(true)
      .setHttp2ClearTextEnabled(true))
      .requestHandler(this::handle);
  }

  /** Starts a receiver on a free port of 127.0.0.1. */
  public static OtlpReceiver start() {
    OtlpReceiver receiver = new OtlpReceiver();
    try {
      receiver.server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      receiver.close();
      throw new IllegalStateException("OTLP receiver did not start", e);
    }
    return receiver;
  }

  /** The value for {@code OTEL_EXPORTER_OTLP_ENDPOINT}, either protocol (the http/protobuf exporter appends {@code /v1/traces}). */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Every span received so far. */
  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** How many export requests were received. */
  public int exports() {
    return exports;
  }

  /** Requests that were not a decodable {@code POST /v1/traces} (should stay empty). */
  public List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** Waits until some received span matches {@code condition}; answers the matching spans. */
  public List<ReceivedSpan> await(String what, Duration timeout, Predicate<ReceivedSpan> condition) {
    Await.until(what + " exported over OTLP", timeout, () -> spans.stream().anyMatch(condition));
    return spans.stream().filter(condition).toList();
  }

  private void handle(HttpServerRequest request) {
    if (request.method() == HttpMethod.POST && GRPC_EXPORT.equals(request.path())) {
      grpc(request);
      return;
    }
    if (request.method() != HttpMethod.POST || !"/v1/traces".equals(request.path())) {
      rejected.add(request.method() + " " + request.path());
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      try {
        keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
        request.response().putHeader("Content-Type", "application/x-protobuf")
          .end(io.vertx.core.buffer.Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (Exception e) {
        rejected.add("undecodable export: " + e);
        request.response().setStatusCode(400).end();
      }
    });
  }

  /** A gRPC call: one length-prefixed message in (uncompressed), one out, status in the trailers. */
  private void grpc(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      try {
        if (body.length() < 5 || body.getByte(0) != 0) {
          throw new IllegalArgumentException("not one uncompressed gRPC message");
        }
        keep(ExportTraceServiceRequest.parseFrom(body.getBytes(5, 5 + body.getInt(1))));
        byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        request.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "0")
          .end(io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0).appendInt(reply.length).appendBytes(reply));
      } catch (Exception e) {
        rejected.add("undecodable gRPC export: " + e);
        request.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "3").end();
      }
    });
  }

  private void keep(ExportTraceServiceRequest export) {
    exports++;
    for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
      String service = String.valueOf(attributes(resourceSpans.getResource().getAttributesList()).get("service.name"));
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          spans.add(new ReceivedSpan(service, HEX.formatHex(span.getTraceId().toByteArray()),
            HEX.formatHex(span.getSpanId().toByteArray()), HEX.formatHex(span.getParentSpanId().toByteArray()),
            span.getName(), span.getKind(), span.getStatus().getCode(), attributes(span.getAttributesList())));
        }
      }
    }
  }

  private static Map<String, Object> attributes(List<KeyValue> values) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue kv : values) {
      AnyValue v = kv.getValue();
      map.put(kv.getKey(), switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> v.getIntValue();
        case BOOL_VALUE -> v.getBoolValue();
        case DOUBLE_VALUE -> v.getDoubleValue();
        default -> v.toString();
      });
    }
    return map;
  }

  /** The ancestors of {@code span} among {@code all} (same trace), nearest first; stops at a parent not received. */
  public static List<ReceivedSpan> ancestors(ReceivedSpan span, List<ReceivedSpan> all) {
    List<ReceivedSpan> chain = new ArrayList<>();
    ReceivedSpan current = span;
    while (!current.parentSpanId().isEmpty() && chain.size() < 100) {
      String parentId = current.parentSpanId();
      String traceId = current.traceId();
      ReceivedSpan parent = all.stream().filter(s -> s.traceId().equals(traceId) && s.spanId().equals(parentId))
        .findFirst().orElse(null);
      if (parent == null) {
        break;
      }
      chain.add(parent);
      current = parent;
    }
    return chain;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing a test helper
    }
  }
}
