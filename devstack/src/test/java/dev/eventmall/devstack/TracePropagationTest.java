package dev.eventmall.devstack;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tracing on, W3C trace context goes HTTP → outbox → Kafka header → consumer → the events it causes: a
 * {@code POST /orders} with a {@code traceparent} header gives OrderPlaced, StockReserved and PaymentCompleted that
 * trace id, in the envelope (the span that appended the event) and in the Kafka header {@code traceparent} (the relay's
 * PRODUCER span, a span id of its own per event).
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class TracePropagationTest {

  @Test
  void theTraceIdOfThePlacingRequestReachesOrderPlacedStockReservedAndPaymentCompleted() throws Exception {
    Platform platform = E2E.platform();
    SagaEndToEndTest.seller = SagaEndToEndTest.seller != null ? SagaEndToEndTest.seller : E2E.member("SELLER");
    String productId = SagaEndToEndTest.product(5, 12_000);
    SagaEndToEndTest.Customer customer = SagaEndToEndTest.customer(SagaEndToEndTest.GOOD_CARD, "04524");
    String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    try (OtlpReceiver otlp = OtlpReceiver.start();
         TopicReader orders = new TopicReader(TestInfra.kafka(), Topics.ORDER_EVENTS);
         TopicReader stock = new TopicReader(TestInfra.kafka(), Topics.CATALOG_STOCK);
         TopicReader payments = new TopicReader(TestInfra.kafka(), Topics.PAYMENT_EVENTS)) {
      OtlpExportTest.traced(platform, otlp);
      String orderId;
      try {
        orderId = SagaEndToEndTest.place(customer, SagaEndToEndTest.orderBody(customer, productId, 1),
        Map.of("traceparent", incoming)).json().getString("orderId");
        SagaEndToEndTest.awaitReached(customer, orderId, "PAID");
      } finally {
        OtlpExportTest.untraced(platform);
      }

      Set<String> spans = new HashSet<>();
      spans.add(Tracing.spanContext(incoming).getSpanId());
      for (Object[] expected : List.of(new Object[] {orders, "OrderPlaced"}, new Object[] {stock, "StockReserved"},
        new Object[] {payments, "PaymentCompleted"})) {
        ConsumerRecord<String, String> record = await((TopicReader) expected[0], orderId, (String) expected[1]);
        Header header = record.headers().lastHeader("traceparent");
        assertThat(header).as(expected[1] + " has a traceparent header").isNotNull();
        SpanContext producer = Tracing.spanContext(new String(header.value(), StandardCharsets.UTF_8));
        assertThat(producer.isValid()).as(header.toString()).isTrue();
        assertThat(producer.getTraceId()).as(expected[1] + " trace id").isEqualTo(traceId);
        SpanContext appender = Tracing.spanContext(new JsonObject(record.value()).getString("traceparent"));
        assertThat(appender.getTraceId()).as(expected[1] + " envelope's trace id").isEqualTo(traceId);
        assertThat(spans.add(producer.getSpanId())).as(expected[1] + " has a span id of its own").isTrue();
      }
    }
  }

  static ConsumerRecord<String, String> await(TopicReader reader, String orderId, String type) {
    AtomicReference<ConsumerRecord<String, String>> found = new AtomicReference<>();
    Await.until(type + " of " + orderId + " on Kafka", Duration.ofSeconds(30), () -> {
      reader.records().stream()
        .filter(r -> orderId.equals(r.key()) && type.equals(new JsonObject(r.value()).getString("type")))
        .findFirst().ifPresent(found::set);
      return found.get() != null;
    });
    return found.get();
  }
}
