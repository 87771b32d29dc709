package dev.eventmall.devstack;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.OtlpReceiver;
import dev.eventmall.common.testing.OtlpReceiver.ReceivedSpan;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Span export over OTLP (vertx-opentelemetry and the SDK's autoconfiguration) for a whole order saga: with
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} pointed at a receiver in this test, order, catalog, payment and delivery export one
 * trace per order: the {@code POST /orders} SERVER span as its root, the SQL statements of the request, a PRODUCER span
 * per event the outbox relays send, a CONSUMER span per event handled (each the child of the PRODUCER of its event and
 * a descendant of the SERVER span), and the CLIENT spans of the Toss charge and of the carrier's shipment. With the
 * variable unset (the same services restarted) nothing is exported and no exporter thread is left.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class OtlpExportTest {
  static final List<String> TRACED = List.of("order", "catalog", "payment", "delivery", "search");

  @Test
  void oneOrderIsOneTraceAcrossOrderCatalogPaymentAndDeliveryAndNothingIsExportedWithoutAnEndpoint() {
    Platform platform = E2E.platform();
    SagaEndToEndTest.seller = SagaEndToEndTest.seller != null ? SagaEndToEndTest.seller : E2E.member("SELLER");
    String productId = SagaEndToEndTest.product(5, 9_900);
    SagaEndToEndTest.Customer customer = SagaEndToEndTest.customer(SagaEndToEndTest.GOOD_CARD, "04524");

    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      String orderId;
      try {
        traced(platform, otlp);
        assertThat(exporterThreads()).as("one exporter per traced service").isEqualTo(TRACED.size());
        orderId = SagaEndToEndTest.place(customer, productId, 1);
        SagaEndToEndTest.awaitReached(customer, orderId, "SHIPPING");
        // the order service's CONSUMER span of DeliveryStarted is the last one of this part of the saga
        awaitConsumed(otlp, orderId, "order", "DeliveryStarted");
        // the product page reads Cassandra, a search reads Redis: their CLIENT spans under the request's SERVER span
        assertThat(E2E.call("catalog", "GET", "/products/" + productId, null, null).status()).isEqualTo(200);
        assertThat(E2E.call("search", "GET", "/search?q=traced", null, null).status()).isEqualTo(200);
        awaitStoreCall(otlp, "catalog", "cassandra", "/products/" + productId);
        awaitStoreCall(otlp, "search", "redis", "/search");
      } finally {
        untraced(platform);
      }
      assertOneTrace(otlp.spans(), orderId);

      // without the endpoint: no exporter thread (those of the closed instances end at their next poll), no export
      Await.until("no exporter thread", Duration.ofSeconds(10), () -> exporterThreads() == 0);
      int exports = otlp.exports();
      String untraced = SagaEndToEndTest.place(customer, productId, 1);
      SagaEndToEndTest.awaitReached(customer, untraced, "SHIPPING");
      assertThat(exporterThreads()).isZero();
      assertThat(otlp.exports()).isEqualTo(exports);
      assertThat(otlp.spans()).noneMatch(s -> untraced.equals(s.attribute("messaging.kafka.message.key")));
      assertThat(otlp.rejected()).isEmpty();
    }
  }

  /** Restarts the services of an order's saga with their spans exported to {@code otlp}. */
  static void traced(Platform platform, OtlpReceiver otlp) {
    for (String service : TRACED) {
      platform.restart(service, Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, otlp.endpoint(),
        Tracing.OTEL_BSP_SCHEDULE_DELAY, "200"));
    }
  }

  /** Restarts them without tracing again (as devstack runs by default). */
  static void untraced(Platform platform) {
    for (String service : TRACED) {
      platform.restart(service, Map.of(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT, ""));
    }
  }

  /** A {@code system} CLIENT span of {@code service} under the SERVER span of a request for {@code path}. */
  static void awaitStoreCall(OtlpReceiver otlp, String service, String system, String path) {
    otlp.await(service + " calling " + system + " for " + path, Duration.ofSeconds(30),
      s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && service.equals(s.service()) && system.equals(s.attribute("db.system"))
        && OtlpReceiver.ancestors(s, otlp.spans()).stream()
        .anyMatch(a -> a.kind() == SpanKind.SPAN_KIND_SERVER && path.equals(a.attribute("url.path"))));
  }

  static void awaitConsumed(OtlpReceiver otlp, String orderId, String service, String type) {
    otlp.await(service + " handling " + type + " of " + orderId, Duration.ofSeconds(30), s ->
      s.kind() == SpanKind.SPAN_KIND_CONSUMER && service.equals(s.service())
        && orderId.equals(s.attribute("messaging.kafka.message.key")) && type.equals(s.attribute("eventmall.event.type")));
  }

  static void assertOneTrace(List<ReceivedSpan> all, String orderId) {
    ReceivedSpan placed = one(all, s -> s.kind() == SpanKind.SPAN_KIND_PRODUCER
      && orderId.equals(s.attribute("messaging.kafka.message.key")) && "OrderPlaced".equals(s.attribute("eventmall.event.type")),
      "the PRODUCER span of OrderPlaced");
    String traceId = placed.traceId();
    List<ReceivedSpan> trace = all.stream().filter(s -> s.traceId().equals(traceId)).toList();
    String described = trace.stream().map(s -> s.service() + ":" + s.kind() + ":" + s.name() + ":"
      + s.attribute("eventmall.event.type")).collect(Collectors.joining("\n  ", "\n  ", ""));

    // every span of this order's events is in the one trace
    assertThat(all.stream().filter(s -> orderId.equals(s.attribute("messaging.kafka.message.key"))))
      .as("spans of order %s outside trace %s", orderId, traceId).allMatch(s -> s.traceId().equals(traceId));
    assertThat(trace.stream().map(ReceivedSpan::service).collect(Collectors.toSet())).as(described)
      .contains("order", "catalog", "payment", "delivery");
    System.out.println("# the trace of order " + orderId + ":" + described.replace(":null", "") + "\n# SQL: "
      + all.stream().filter(s -> s.traceId().equals(traceId) && s.attribute("db.query.text") != null)
      .map(s -> s.service() + ": " + s.attribute("db.query.text")).collect(Collectors.joining("\n#   ", "\n#   ", "")));

    ReceivedSpan server = one(trace, s -> s.kind() == SpanKind.SPAN_KIND_SERVER && "/orders".equals(s.attribute("url.path"))
      && "POST".equals(s.attribute("http.request.method")), "the POST /orders SERVER span" + described);
    assertThat(server.service()).isEqualTo("order");
    assertThat(server.parentSpanId()).as("a request without traceparent starts the trace").isEmpty();
    assertThat(server.attribute("http.response.status_code")).isEqualTo("201");
    assertThat(placed.parentSpanId()).as("OrderPlaced was appended by the request").isEqualTo(server.spanId());
    // SQL statements made in the order's trace (the request's own, the handlings') are CLIENT spans under the request
    List<ReceivedSpan> statements = trace.stream().filter(s -> s.attribute("db.query.text") != null).toList();
    assertThat(statements).as("SQL statements" + described).isNotEmpty()
      .allMatch(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && OtlpReceiver.ancestors(s, trace).contains(server));
    assertThat(statements).as("SQL of POST /orders" + described)
      .anyMatch(s -> "order".equals(s.service()) && server.spanId().equals(s.parentSpanId()));
    // the Toss charge and the carrier's shipment: CLIENT spans in the order's trace, under the handling that made them
    for (String[] call : new String[][] {{"payment", "/v1/billing/"}, {"delivery", "/v1/shipments"}}) {
      List<ReceivedSpan> clients = trace.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT
        && call[0].equals(s.service()) && String.valueOf(s.attribute("url.full")).contains(call[1])).toList();
      assertThat(clients).as(call[0] + " calls " + call[1] + described).isNotEmpty();
      for (ReceivedSpan client : clients) {
        assertThat(OtlpReceiver.ancestors(client, trace)).as("ancestors of " + client + described).contains(server)
          .anyMatch(a -> a.kind() == SpanKind.SPAN_KIND_CONSUMER && a.service().equals(call[0]));
      }
    }

    Map<String, String> producedBy = Map.of("OrderPlaced", "order", "StockReserved", "catalog",
      "PaymentCompleted", "payment", "DeliveryStarted", "delivery");
    producedBy.forEach((type, service) -> {
      ReceivedSpan producer = one(trace, s -> s.kind() == SpanKind.SPAN_KIND_PRODUCER
        && type.equals(s.attribute("eventmall.event.type")), "the PRODUCER span of " + type + described);
      assertThat(producer.service()).as(type).isEqualTo(service);
      assertThat(producer.name()).as(type).endsWith(" publish");
      assertThat(OtlpReceiver.ancestors(producer, trace)).as("ancestors of the PRODUCER span of " + type + described)
        .contains(server);
    });
    // who handles what: catalog reserves, payment charges, delivery ships, order follows every step
    Set<String> consumed = Set.of("catalog:OrderPlaced", "payment:StockReserved", "delivery:PaymentCompleted",
      "order:StockReserved", "order:PaymentCompleted", "order:DeliveryStarted");
    List<ReceivedSpan> consumers = trace.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CONSUMER).toList();
    assertThat(consumers.stream().map(s -> s.service() + ":" + s.attribute("eventmall.event.type"))
      .collect(Collectors.toSet())).as(described).containsAll(consumed);
    for (ReceivedSpan consumer : consumers) {
      ReceivedSpan producer = one(trace, s -> s.spanId().equals(consumer.parentSpanId()),
        "the parent of " + consumer.service() + " " + consumer.name() + described);
      assertThat(producer.kind()).as("parent of a CONSUMER span").isEqualTo(SpanKind.SPAN_KIND_PRODUCER);
      assertThat(producer.attribute("messaging.message.id")).as("the same event")
        .isEqualTo(consumer.attribute("messaging.message.id"));
      assertThat(consumer.name()).isEqualTo(producer.attribute("messaging.destination.name") + " process");
      assertThat(OtlpReceiver.ancestors(consumer, trace)).as("ancestors of " + consumer.service() + " "
        + consumer.name() + described).contains(server);
    }
    assertThat(trace.stream().map(ReceivedSpan::spanId).distinct().count()).as("span ids are unique" + described)
      .isEqualTo(trace.size());
  }

  static ReceivedSpan one(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> condition, String what) {
    List<ReceivedSpan> found = spans.stream().filter(condition).toList();
    assertThat(found).as(what).hasSize(1);
    return found.get(0);
  }

  static long exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
      .filter(t -> t.isAlive() && t.getName().startsWith("BatchSpanProcessor_WorkerThread")).count();
  }
}
