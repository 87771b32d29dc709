package dev.eventmall.common.trace;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.OtlpReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which OTEL_* settings turn span export on, and that without them nothing is made, started or sent. */
class TracingTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void withoutAnEndpointNothingIsExportedAndNoExporterThreadRuns() throws Exception {
    Set<Thread> exportersBefore = exporterThreads();
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      // every other OTEL_* variable set, the endpoint not: still off
      Tracing tracing = Tracing.install(vertx, Config.of(Map.of(Tracing.OTEL_SERVICE_NAME, "x",
        Tracing.OTEL_BSP_SCHEDULE_DELAY, "10")), "order");
      assertThat(tracing.enabled()).isFalse();
      assertThat(tracing).isSameAs(Tracing.noop()).isSameAs(Tracing.of(vertx));
      assertThat(tracing.start(Tracing.Kind.SERVER, "GET", TraceContext.newTrace(), null))
        .as("no span object is made").isSameAs(Tracing.noop());

      Router router = HttpBootstrap.builder(vertx).build();
      router.get("/ping").handler(ctx -> ctx.end("pong"));
      HttpServer server = Await.result(HttpBootstrap.listen(vertx, router, 0));
      int status = Await.result(vertx.createHttpClient()
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ping")
        .compose(req -> req.putHeader("traceparent", TraceContext.newTrace()).send()).map(r -> r.statusCode()));
      assertThat(status).isEqualTo(200);
      Thread.sleep(300);
      assertThat(otlp.exports()).isZero();
      assertThat(exporterThreads()).as("no exporter thread started").isSubsetOf(exportersBefore);
    }
  }

  static Set<Thread> exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
      .filter(t -> t.isAlive() && t.getName().startsWith("BatchSpanProcessor")).collect(Collectors.toSet());
  }

  @Test
  void theSdkSwitchTurnsItOffEvenWithAnEndpoint() {
    Tracing tracing = Tracing.install(vertx, Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, "http://127.0.0.1:4318",
      Tracing.OTEL_SDK_DISABLED, "true")), "order");
    assertThat(tracing.enabled()).isFalse();
  }

  @Test
  void theBaseEndpointGetsTheTracesPathTheSignalEndpointIsUsedAsIs() {
    OtlpTracing base = (OtlpTracing) Tracing.install(vertx,
      Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, "http://collector:4318/")), "order");
    assertThat(base.endpoint()).isEqualTo("http://collector:4318/v1/traces");
    assertThat(Tracing.install(vertx, Config.of(Map.of()), "order")).as("installed once per Vert.x").isSameAs(base);
    Vertx other = Vertx.vertx();
    try {
      OtlpTracing signal = (OtlpTracing) Tracing.install(other, Config.of(Map.of(
        Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, "http://collector:4318",
        Tracing.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "http://traces:4318/custom/path")), "order");
      assertThat(signal.endpoint()).isEqualTo("http://traces:4318/custom/path");
    } finally {
      Await.result(other.close());
    }
  }

  @Test
  void aMalformedEndpointOrAnotherProtocolFailsTheStart() {
    assertThatThrownBy(() -> Tracing.install(vertx, Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, "collector:4318")),
      "order")).isInstanceOf(Config.ConfigException.class).hasMessageContaining(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT);
    assertThatThrownBy(() -> Tracing.install(vertx, Config.of(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT,
      "http://collector:4317", Tracing.OTEL_EXPORTER_OTLP_PROTOCOL, "grpc")), "order"))
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("http/protobuf");
    assertThat(Tracing.of(vertx).enabled()).as("a failed install installs nothing").isFalse();
  }
}
