package dev.eventmall.common.http;

import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.testing.OtlpReceiver.ReceivedSpan;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SERVER spans of the HTTP bootstrap over real HTTP into a real OTLP/HTTP receiver: named by method and route template,
 * child of the incoming traceparent, status code attribute, ERROR only for 5xx; flushed when Vert.x closes.
 */
class ServerSpansTest {
  private static final String INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private OtlpReceiver otlp;
  private Vertx vertx;
  private HttpClient client;
  private TestApiVerticle api;

  @BeforeEach
  void start() {
    otlp = OtlpReceiver.start();
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      Await.result(vertx.close());
    }
    otlp.close();
  }

  private void deploy(Map<String, String> env) {
    vertx = Vertx.vertx();
    Tracing tracing = Tracing.install(vertx, Config.of(env), "test-api");
    assertThat(tracing.enabled()).isTrue();
    api = new TestApiVerticle(Jwt.hs256(vertx, "test-secret-0123456789-0123456789-abcdef"), null);
    Await.result(vertx.deployVerticle(api));
    client = vertx.createHttpClient();
  }

  private int call(HttpMethod method, String path) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(api.port)
      .setURI(path).putHeader("traceparent", INCOMING);
    return Await.result(client.request(options).compose(req -> req.send()).compose(res -> res.body().map(b -> res))
      .map(HttpClientResponse::statusCode));
  }

  private ReceivedSpan server(String name) {
    List<ReceivedSpan> found;
    try {
      found = otlp.await(name, Duration.ofSeconds(15), s -> s.name().equals(name));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; received " + otlp.spans().stream().map(ReceivedSpan::name).toList(), e);
    }
    assertThat(found).as(name).hasSize(1);
    return found.get(0);
  }

  @Test
  void everyRequestIsAServerSpanNamedByItsRouteTemplateInTheIncomingTrace() {
    deploy(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint(), Tracing.OTEL_BSP_SCHEDULE_DELAY, "100"));
    assertThat(call(HttpMethod.GET, "/catalog/42")).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/catalog/42/fail")).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/items/7")).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/boom")).isEqualTo(500);
    assertThat(call(HttpMethod.GET, "/secured/me")).isEqualTo(401);
    assertThat(call(HttpMethod.GET, "/no/such/path")).isEqualTo(404);

    ReceivedSpan item = server("GET /catalog/:id");
    assertThat(item.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(item.service()).isEqualTo("test-api");
    assertThat(item.traceId()).isEqualTo(TRACE_ID);
    assertThat(item.parentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(item.spanId()).isNotEqualTo("b7ad6b7169203331").hasSize(16);
    assertThat(item.attribute("http.route")).isEqualTo("/catalog/:id");
    assertThat(item.attribute("http.request.method")).isEqualTo("GET");
    assertThat(item.attribute("http.response.status_code")).isEqualTo(200L);
    assertThat(item.status()).isEqualTo(StatusCode.STATUS_CODE_UNSET);

    ReceivedSpan failed = server("GET /catalog/:id/fail");
    assertThat(failed.attribute("http.response.status_code")).isEqualTo(404L);
    assertThat(failed.status()).as("a 4xx is the client's error, not the server's").isEqualTo(StatusCode.STATUS_CODE_UNSET);
    assertThat(server("GET /items/:id").attribute("http.route")).isEqualTo("/items/:id");
    ReceivedSpan boom = server("GET /boom");
    assertThat(boom.status()).isEqualTo(StatusCode.STATUS_CODE_ERROR);
    assertThat(boom.attribute("http.response.status_code")).isEqualTo(500L);
    // the sub-router's bearer handler answered before its /me route matched
    assertThat(server("GET /secured").attribute("http.response.status_code")).isEqualTo(401L);
    ReceivedSpan unknown = server("GET");
    assertThat(unknown.attribute("http.route")).as("no route matched").isNull();
    assertThat(unknown.attribute("url.path")).isEqualTo("/no/such/path");
    assertThat(otlp.rejected()).isEmpty();

    Await.result(vertx.close());
    vertx = null;
    // the worker ends at its next poll (every 100 ms here) once the processor is shut down
    Await.until("the exporter thread ends", Duration.ofSeconds(10), () -> exporterThreads() == 0);
  }

  @Test
  void closingVertxFlushesTheSpansStillQueued() {
    // a schedule delay far beyond the test: only the flush on close can deliver the span
    Await.until("earlier exporter threads end", Duration.ofSeconds(10), () -> exporterThreads() == 0);
    deploy(Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint(), Tracing.OTEL_BSP_SCHEDULE_DELAY, "60000",
      Tracing.OTEL_SERVICE_NAME, "renamed"));
    assertThat(exporterThreads()).isEqualTo(1);
    assertThat(call(HttpMethod.GET, "/catalog/1")).isEqualTo(200);
    assertThat(otlp.exports()).isZero();
    Await.result(vertx.close());
    vertx = null;
    ReceivedSpan echo = server("GET /catalog/:id");
    assertThat(echo.service()).isEqualTo("renamed");
  }

  static long exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
      .filter(t -> t.isAlive() && t.getName().startsWith("BatchSpanProcessor_WorkerThread")).count();
  }
}
