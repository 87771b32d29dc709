package dev.eventmall.common.trace;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.testing.OtlpReceiver.ReceivedSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tracing through vertx-opentelemetry and the SDK's autoconfiguration, over real HTTP into a real OTLP receiver (both
 * protocols): the SERVER span continues an incoming traceparent, a web-client call is its CLIENT child, an event made
 * in the request carries the request's span; without an endpoint no span is made, no exporter runs, nothing is sent.
 */
class TracingTest {
  private static final String INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private Vertx vertx;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  /** A service with {@code tracing}: {@code GET /orders/:id} calls {@code GET /downstream} and makes an event. */
  private int start(Tracing tracing) {
    vertx = Metrics.create("test-api").newVertx(new VertxOptions(), tracing);
    HttpClient client = vertx.createHttpClient();
    Router router = HttpBootstrap.builder(vertx).build();
    int[] port = new int[1];
    router.get("/downstream").handler(ctx -> ctx.end("ok"));
    router.get("/orders/:id").handler(ctx -> {
      seen.add(String.valueOf(Tracing.current()));
      seen.add(String.valueOf(EventEnvelope.of("OrderPlaced", "o-1", new JsonObject()).traceparent()));
      client.request(HttpMethod.GET, port[0], "127.0.0.1", "/downstream").compose(req -> req.send())
        .compose(res -> res.body()).onComplete(ar -> ctx.end(String.valueOf(ar.succeeded())));
    });
    HttpServer server = Await.result(HttpBootstrap.listen(vertx, router, 0));
    port[0] = server.actualPort();
    return port[0];
  }

  private String get(int port, String path) {
    HttpClient client = vertx.createHttpClient();
    return Await.result(client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(req -> req.putHeader("traceparent", INCOMING).send()).compose(res -> res.body())).toString();
  }

  @Test
  void withoutAnEndpointNoSpanIsMadeNoExporterRunsAndNothingIsSent() throws Exception {
    Set<Thread> exportersBefore = exporterThreads();
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      // every other OTEL_* variable set, the endpoint not: off
      Tracing tracing = Tracing.from(Config.of(Map.of(Tracing.OTEL_SERVICE_NAME, "x", Tracing.OTEL_BSP_SCHEDULE_DELAY,
        "10", Tracing.OTEL_EXPORTER_OTLP_PROTOCOL, "grpc")), "order");
      assertThat(tracing.enabled()).isFalse();
      assertThat(tracing).isSameAs(Tracing.off());
      assertThat(tracing.start(io.opentelemetry.api.trace.SpanKind.PRODUCER, "x", INCOMING))
        .as("no span object is made").isSameAs(Span.getInvalid());
      int port = start(tracing);
      assertThat(Tracing.of(vertx)).isSameAs(Tracing.off());
      assertThat(get(port, "/orders/1")).isEqualTo("true");
      assertThat(seen).as("no current span in the request, the event carries none").containsExactly("null", "null");
      Thread.sleep(300);
      assertThat(otlp.exports()).isZero();
      assertThat(exporterThreads()).as("no exporter thread started").isSubsetOf(exportersBefore);
    }
  }

  /** Compose's default: every log line and event carries a trace id, and nothing is recorded or sent. */
  @Test
  void withTheExporterNoneAndNoEndpointTraceIdsFlowButNothingIsRecordedOrSent() throws Exception {
    Set<Thread> exportersBefore = exporterThreads();
    Tracing tracing = Tracing.from(Config.of(Map.of(Tracing.OTEL_TRACES_EXPORTER, "none")), "order");
    assertThat(tracing.enabled()).isTrue();
    int port = start(tracing);
    assertThat(get(port, "/orders/1")).isEqualTo("true");
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).as("the request's context continues the incoming trace, not sampled")
      .matches("00-" + TRACE_ID + "-[0-9a-f]{16}-00").isNotEqualTo(INCOMING);
    assertThat(seen.get(1)).as("the event carries it").isEqualTo(seen.get(0));

    // without an incoming traceparent a request starts a trace of its own
    seen.clear();
    HttpClient client = vertx.createHttpClient();
    Await.result(client.request(HttpMethod.GET, port, "127.0.0.1", "/orders/2").compose(req -> req.send())
      .compose(res -> res.body()));
    assertThat(seen.get(0)).as("not sampled: flags 00, or 02 for a random trace id").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]").doesNotContain(TRACE_ID);
    assertThat(exporterThreads()).as("no exporter thread started").isSubsetOf(exportersBefore);
  }

  @Test
  void anEndpointOnTopOfTheExporterNoneExportsThere() {
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      Tracing tracing = Tracing.from(Config.of(Map.of(Tracing.OTEL_TRACES_EXPORTER, "none",
        Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint())), "test-api");
      int port = start(tracing);
      assertThat(get(port, "/orders/7")).isEqualTo("true");
      Await.result(vertx.close());
      vertx = null;
      assertThat(otlp.await("the SERVER span", Duration.ofSeconds(15), s -> s.kind() == SpanKind.SPAN_KIND_SERVER
        && "/orders/7".equals(s.attribute("url.path")))).isNotEmpty();
    }
  }

  @Test
  void theSdkSwitchTurnsItOffEvenWithAnEndpoint() {
    assertThat(Tracing.from(Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, "http://127.0.0.1:4318",
      Tracing.OTEL_SDK_DISABLED, "true")), "order").enabled()).isFalse();
  }

  @Test
  void aSettingTheAutoconfigurationRefusesFailsTheStart() {
    assertThatThrownBy(() -> Tracing.from(Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT,
      "http://127.0.0.1:4318", Tracing.OTEL_EXPORTER_OTLP_PROTOCOL, "carrier-pigeon")), "order"))
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("carrier-pigeon");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http/protobuf", "grpc"})
  void theServerSpanContinuesTheIncomingTraceWithTheClientCallAndTheEventUnderIt(String protocol) {
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      Map<String, String> env = new HashMap<>(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint(),
        Tracing.OTEL_EXPORTER_OTLP_PROTOCOL, protocol,
        // far beyond the test: only the flush when Vert.x closes delivers the spans
        Tracing.OTEL_BSP_SCHEDULE_DELAY, "60000"));
      Tracing tracing = Tracing.from(Config.of(env), "test-api");
      assertThat(tracing.enabled()).isTrue();
      int port = start(tracing);
      assertThat(Tracing.of(vertx)).isSameAs(tracing);
      assertThat(get(port, "/orders/42")).isEqualTo("true");
      assertThat(otlp.exports()).isZero();
      Await.result(vertx.close());
      vertx = null;

      List<ReceivedSpan> spans = otlp.await("the client's SERVER span", Duration.ofSeconds(15),
        s -> s.kind() == SpanKind.SPAN_KIND_SERVER && "/downstream".equals(s.attribute("url.path")));
      List<ReceivedSpan> all = otlp.spans();
      String described = all.toString();
      ReceivedSpan server = one(all, s -> s.kind() == SpanKind.SPAN_KIND_SERVER
        && "/orders/42".equals(s.attribute("url.path")), described);
      assertThat(server.service()).isEqualTo("test-api");
      assertThat(server.traceId()).isEqualTo(TRACE_ID);
      assertThat(server.parentSpanId()).isEqualTo("b7ad6b7169203331");
      assertThat(server.attribute("http.request.method")).isEqualTo("GET");
      assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
      ReceivedSpan client = one(all, s -> s.kind() == SpanKind.SPAN_KIND_CLIENT, described);
      assertThat(client.parentSpanId()).isEqualTo(server.spanId());
      assertThat(spans.get(0).parentSpanId()).as("traceparent sent by the client").isEqualTo(client.spanId());
      assertThat(all).allMatch(s -> s.traceId().equals(TRACE_ID));
      String current = "00-" + TRACE_ID + "-" + server.spanId() + "-01";
      assertThat(seen).as("the request's span is current; the event carries it").containsExactly(current, current);
      assertThat(otlp.rejected()).isEmpty();
    }
  }

  @Test
  void aTraceparentGoesThroughTheW3cPropagatorAndBack() {
    assertThat(Tracing.traceparent(Tracing.spanContext(INCOMING))).isEqualTo(INCOMING);
    assertThat(Tracing.traceparent(Tracing.spanContext(" " + INCOMING + " "))).isEqualTo(INCOMING);
    // the W3C propagator's reading: upper-case hex is not a traceparent
    for (String bad : new String[] {null, "", "garbage", INCOMING.toUpperCase(), "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"}) {
      assertThat(Tracing.spanContext(bad).isValid()).as(bad).isFalse();
      assertThat(Tracing.traceparent(Tracing.spanContext(bad))).as(bad).isNull();
    }
  }

  private static ReceivedSpan one(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> which, String all) {
    List<ReceivedSpan> found = spans.stream().filter(which).toList();
    assertThat(found).as(all).hasSize(1);
    return found.get(0);
  }

  static Set<Thread> exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
      .filter(t -> t.isAlive() && t.getName().startsWith("BatchSpanProcessor")).collect(Collectors.toSet());
  }
}
