package dev.eventmall.common.http;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log and the context fields of JSON lines over real HTTP, read as an operator would: the JSON lines the
 * production encoder writes. The service is traced (spans exported to a real OTLP receiver): the trace and span ids
 * are those of the request's SERVER span, which continues the incoming traceparent.
 */
@ExtendWith(VertxExtension.class)
class AccessLogTest {
  private static final Logger APP = LoggerFactory.getLogger("dev.eventmall.test.app");
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private WebClient client;
  private int port;
  private OtlpReceiver otlp;
  private Vertx vertx;

  @BeforeEach
  void serve(VertxTestContext ctx) {
    otlp = OtlpReceiver.start();
    vertx = Metrics.create("access-log-test").newVertx(new VertxOptions(), Tracing.from(Config.of(Map.of(
      Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint())), "access-log-test"));
    client = WebClient.create(vertx);
    Router root = HttpBootstrap.builder(vertx).build();
    // a handler that learns its order id, then logs from a timer's callback, another hop on the event loop
    root.post("/orders/:id/pay").handler(rc -> {
      LogContext.orderId(rc.pathParam("id"));
      vertx.setTimer(Long.parseLong(rc.queryParams().get("delay")), t -> {
        APP.info("paying");
        rc.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("paid", true).encode());
      });
    });
    HttpBootstrap.listen(vertx, root, 0).onComplete(ctx.succeeding(server -> {
      port = server.actualPort();
      ctx.completeNow();
    }));
  }

  @AfterEach
  void close() {
    client.close();
    Await.result(vertx.close());
    otlp.close();
  }

  private Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> pay(String order, String requestId,
                                                                                         int delayMs) {
    return client.post(port, "127.0.0.1", "/orders/" + order + "/pay?delay=" + delayMs + "&password=hunter2-query")
      .putHeader("Authorization", "Bearer s3cr3t-token-value")
      .putHeader(RequestId.HEADER, requestId)
      .putHeader("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
      .sendJsonObject(new JsonObject().put("cardNumber", "4111111111111111").put("password", "hunter2-body"));
  }

  @Test
  void oneAccessLineWithItsFieldsAndNoSecrets(VertxTestContext ctx) {
    LogCapture access = LogCapture.json(AccessLog.LOGGER);
    pay("o-1", "req-access-1", 1).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      access.close();
      assertThat(res.statusCode()).isEqualTo(200);
      List<JsonObject> lines = access.lines();
      assertThat(lines).hasSize(1);
      JsonObject line = lines.get(0);
      assertThat(line.getString("logger_name")).isEqualTo("eventmall.access");
      assertThat(line.getString("level")).isEqualTo("INFO");
      assertThat(line.getString("method")).isEqualTo("POST");
      assertThat(line.getString("path")).isEqualTo("/orders/o-1/pay");
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.getLong("durationMs")).isBetween(0L, 10_000L);
      assertThat(line.getLong("bytes")).isEqualTo(res.body().length());
      assertThat(line.getString("requestId")).isEqualTo("req-access-1");
      assertThat(line.getString("traceId")).isEqualTo(TRACE_ID);
      assertThat(line.getString("spanId")).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
      assertThat(line.getString("orderId")).as("set by the handler, on the request's context").isEqualTo("o-1");
      assertThat(line.getString("message")).isEqualTo("POST /orders/o-1/pay 200 " + line.getLong("durationMs")
        + " ms " + line.getLong("bytes") + " B");
      String raw = access.raw().get(0);
      assertThat(raw).endsWith("\n").doesNotContain("s3cr3t", "Bearer", "Authorization", "hunter2", "4111111111111111");
      ctx.completeNow();
    })));
  }

  @Test
  void linesLoggedInLaterCallbacksCarryTheirOwnRequestsFields(VertxTestContext ctx) {
    LogCapture app = LogCapture.json(APP.getName());
    // the first request's callback runs after the second one's: both are on the same event loop
    Future.all(pay("o-slow", "req-slow", 150), pay("o-fast", "req-fast", 1)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      app.close();
      List<JsonObject> lines = app.lines();
      assertThat(lines).extracting(l -> l.getString("requestId") + " " + l.getString("orderId"))
        .containsExactly("req-fast o-fast", "req-slow o-slow");
      assertThat(lines).allSatisfy(l -> assertThat(l.getString("traceId")).isEqualTo(TRACE_ID));
      ctx.completeNow();
    })));
  }

  @Test
  void textLinesShowTheSameFields(VertxTestContext ctx) {
    LogCapture app = LogCapture.text(APP.getName(), "%msg%logctx");
    pay("o-text", "req-text", 1).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      app.close();
      assertThat(app.raw()).containsExactly("paying [trace=" + TRACE_ID + " req=req-text order=o-text]");
      ctx.completeNow();
    })));
  }

  @Test
  void aLineOffAnyRequestCarriesNoRequestFields(VertxTestContext ctx) {
    LogCapture app = LogCapture.json(APP.getName());
    Promise<Void> logged = Promise.promise();
    vertx.runOnContext(v -> {
      APP.info("housekeeping");
      logged.complete();
    });
    logged.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      app.close();
      JsonObject line = app.lines().get(0);
      assertThat(line.getString("message")).isEqualTo("housekeeping");
      assertThat(line.fieldNames()).doesNotContain("traceId", "spanId", "requestId", "orderId");
      ctx.completeNow();
    })));
  }
}
