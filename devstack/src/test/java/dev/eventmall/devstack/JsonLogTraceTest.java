package dev.eventmall.devstack;

import ch.qos.logback.classic.Level;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.http.AccessLog;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator who finds an order's Kafka events can find its log lines by their trace id: the JSON lines (what
 * {@code LOG_FORMAT=json} writes) of the order's handling — order's access line for {@code POST /orders}, the order
 * saga's and the payment saga's lines about it — carry the order id and the trace id of the order's events on Kafka.
 * No traceparent is sent: the order service starts the trace (tracing on: without it there is no trace to follow).
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class JsonLogTraceTest {

  @Test
  void theJsonLinesOfAnOrdersHandlingCarryTheTraceIdOfItsKafkaEvents() throws Exception {
    Platform platform = E2E.platform();
    SagaEndToEndTest.seller = SagaEndToEndTest.seller != null ? SagaEndToEndTest.seller : E2E.member("SELLER");
    String productId = SagaEndToEndTest.product(5, 9_000);
    SagaEndToEndTest.Customer customer = SagaEndToEndTest.customer(SagaEndToEndTest.GOOD_CARD, "04524");
    String requestId = "e2e-json-" + UUID.randomUUID();

    try (OtlpReceiver otlp = OtlpReceiver.start();
         TopicReader orders = new TopicReader(TestInfra.kafka(), Topics.ORDER_EVENTS);
         TopicReader payments = new TopicReader(TestInfra.kafka(), Topics.PAYMENT_EVENTS);
         LogCapture access = LogCapture.json(AccessLog.LOGGER);
         LogCapture orderSaga = LogCapture.json("dev.eventmall.order.messaging.SagaHandlers", Level.DEBUG);
         LogCapture paymentSaga = LogCapture.json("dev.eventmall.payment.PaymentSaga", Level.DEBUG)) {
      OtlpExportTest.traced(platform, otlp);
      String orderId;
      try {
        E2E.Response placed = SagaEndToEndTest.place(customer, SagaEndToEndTest.orderBody(customer, productId, 1),
          Map.of("X-Request-Id", requestId));
        assertThat(placed.status()).as(placed.body()).isEqualTo(201);
        orderId = placed.json().getString("orderId");
        SagaEndToEndTest.awaitReached(customer, orderId, "PAID");
      } finally {
        OtlpExportTest.untraced(platform);
      }

      String traceId = traceIdOf(TracePropagationTest.await(orders, orderId, "OrderPlaced"));
      assertThat(traceIdOf(TracePropagationTest.await(payments, orderId, "PaymentCompleted")))
        .as("the order's events share one trace").isEqualTo(traceId);

      JsonObject post = line(access, "the access line of POST /orders for " + orderId,
        l -> "POST".equals(l.getString("method")) && "/orders".equals(l.getString("path"))
          && orderId.equals(l.getString("orderId")));
      assertThat(post.getString("traceId")).isEqualTo(traceId);
      assertThat(post.getString("requestId")).isEqualTo(requestId);
      assertThat(post.getInteger("status")).isEqualTo(201);

      JsonObject paid = line(orderSaga, "the order saga's line of " + orderId + " reaching PAID",
        l -> orderId.equals(l.getString("orderId")) && l.getString("message").contains("-> PAID"));
      assertThat(paid.getString("traceId")).isEqualTo(traceId);
      assertThat(paid.getString("spanId")).matches("[0-9a-f]{16}");

      JsonObject charged = line(paymentSaga, "the payment saga's line of " + orderId + " on StockReserved",
        l -> orderId.equals(l.getString("orderId")) && l.getString("message").contains("StockReserved"));
      assertThat(charged.getString("traceId")).isEqualTo(traceId);
    }
  }

  private static String traceIdOf(ConsumerRecord<String, String> record) {
    String traceparent = new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8);
    SpanContext span = Tracing.spanContext(traceparent);
    assertThat(span.isValid()).as(traceparent).isTrue();
    return span.getTraceId();
  }

  private static JsonObject line(LogCapture capture, String what, java.util.function.Predicate<JsonObject> matches) {
    AtomicReference<JsonObject> found = new AtomicReference<>();
    Await.until(what, Duration.ofSeconds(10), () -> {
      Optional<JsonObject> line = capture.lines().stream().filter(matches).findFirst();
      line.ifPresent(found::set);
      return line.isPresent();
    });
    return found.get();
  }
}
