package dev.eventmall.order;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.order.messaging.SagaHandlers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order saga driven by the events catalog, payment and delivery publish (built per docs/saga.md), over real Kafka
 * and MariaDB: states, timeline, emitted events, duplicates, inapplicable events and the business counters.
 */
class OrderSagaTest extends OrderTestSupport {

  String earbuds;
  String member;
  String token;
  String addressId;

  @BeforeAll
  void catalog() {
    earbuds = product("무선 이어폰", 129_000);
    member = UUID.randomUUID().toString();
    token = customer(member);
    addressId = address(member);
  }

  String newOrder(String method) {
    return placed(token, orderBody(addressId, method, earbuds, 2)).getString("orderId");
  }

  static String now() {
    return Instant.now().toString();
  }

  static JsonObject lines(String productId) {
    return new JsonObject().put("lines", new JsonArray().add(new JsonObject().put("productId", productId)
      .put("quantity", 2)));
  }

  void stockReserved(String orderId) {
    publish(Topics.CATALOG_STOCK, sagaEvent("StockReserved", orderId, lines(earbuds).put("reservedAt", now())));
  }

  EventEnvelope paymentCompleted(String orderId) {
    EventEnvelope e = sagaEvent("PaymentCompleted", orderId, new JsonObject().put("paymentId", "pay-" + orderId)
      .put("paymentKey", "tgen_" + orderId).put("amount", 258_000).put("method", "BILLING").put("approvedAt", now()));
    publish(Topics.PAYMENT_EVENTS, e);
    return e;
  }

  JsonArray timeline(String orderId) {
    HttpResponse<Buffer> res = get("/orders/" + orderId + "/timeline", token);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject().getJsonArray("items");
  }

  List<String> timelineTypes(String orderId) {
    return timeline(orderId).stream().map(o -> ((JsonObject) o).getString("type") + ":"
      + ((JsonObject) o).getString("outcome") + ":" + ((JsonObject) o).getString("toStatus")).toList();
  }

  /** Whether the saga's consumer group committed every record of {@code topic} published so far. */
  boolean sagaCommittedAll(String topic) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
      config.kafkaBootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(SagaHandlers.CONSUMER)
        .partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().entrySet().stream().allMatch(end -> {
        OffsetAndMetadata c = committed.get(end.getKey());
        return (c == null ? 0 : c.offset()) >= end.getValue().offset();
      });
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aBillingOrderGoesAllTheWayToDelivered() {
    double completed = counter("orders.completed");
    String orderId = newOrder("BILLING");
    stockReserved(orderId);
    awaitStatus(orderId, token, "PAYMENT_PENDING");
    paymentCompleted(orderId);
    awaitStatus(orderId, token, "PAID");
    publish(Topics.DELIVERY_EVENTS, sagaEvent("DeliveryStarted", orderId, new JsonObject().put("shipmentId", "s-1")
      .put("trackingNumber", "T-1").put("carrier", "CJ").put("startedAt", now())));
    awaitStatus(orderId, token, "SHIPPING");
    publish(Topics.DELIVERY_EVENTS, sagaEvent("DeliveryStatusChanged", orderId, new JsonObject()
      .put("trackingNumber", "T-1").put("status", "IN_TRANSIT").put("changedAt", now())));
    EventEnvelope delivered = sagaEvent("DeliveryCompleted", orderId, new JsonObject().put("trackingNumber", "T-1")
      .put("deliveredAt", now()));
    publish(Topics.DELIVERY_EVENTS, delivered);
    awaitStatus(orderId, token, "DELIVERED");

    List<EventEnvelope> events = awaitOrderEvents(orderId, 2);
    assertThat(events).extracting(EventEnvelope::type).containsExactly("OrderPlaced", "OrderCompleted");
    assertThat(events.get(1).causationId()).isEqualTo(delivered.id().toString());
    assertThat(events.get(1).correlationId()).isEqualTo(orderId);
    assertThat(timelineTypes(orderId)).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "StockReserved:APPLIED:PAYMENT_PENDING",
      "PaymentCompleted:APPLIED:PAID",
      "DeliveryStarted:APPLIED:SHIPPING",
      "DeliveryStatusChanged:IGNORED:SHIPPING",
      "DeliveryCompleted:APPLIED:DELIVERED",
      "OrderCompleted:APPLIED:DELIVERED");
    JsonObject first = timeline(orderId).getJsonObject(1);
    assertThat(first.getString("fromStatus")).isEqualTo("PENDING");
    assertThat(first.getString("source")).isEqualTo(Topics.CATALOG_STOCK);
    assertThat(first.getString("occurredAt")).isNotBlank();
    assertThat(first.getString("recordedAt")).isNotBlank();
    assertThat(counter("orders.completed")).isEqualTo(completed + 1);
    // too late to cancel
    HttpResponse<Buffer> tooLate = post("/orders/" + orderId + "/cancel", token, null, null);
    assertProblem(tooLate, 409);
    JsonObject refusal = tooLate.bodyAsJsonObject();
    assertThat(refusal.getString("type")).isEqualTo("https://eventmall.dev/problems/order-not-cancellable");
    assertThat(refusal.getString("title")).isEqualTo("Order cannot be cancelled");
    assertThat(refusal.getString("detail")).isEqualTo("An order in state DELIVERED can no longer be cancelled");
    assertThat(refusal.getString("orderStatus")).isEqualTo("DELIVERED");
    // an admin reads any timeline
    assertThat(get("/orders/" + orderId + "/timeline", admin()).statusCode()).isEqualTo(200);
  }

  @Test
  void aCheckoutOrderAwaitsPaymentThenAPaymentFailureEndsIt() {
    double failed = counter("orders.failed", "reason", "payment_failed");
    String orderId = newOrder("CHECKOUT");
    stockReserved(orderId);
    awaitStatus(orderId, token, "AWAITING_PAYMENT");
    publish(Topics.PAYMENT_EVENTS, sagaEvent("PaymentFailed", orderId, new JsonObject().put("paymentId", "p")
      .put("reason", "card declined").put("code", "REJECT_CARD_COMPANY").put("failedAt", now())));
    awaitStatus(orderId, token, "PAYMENT_FAILED");
    assertThat(counter("orders.failed", "reason", "payment_failed")).isEqualTo(failed + 1);
    assertThat(timeline(orderId).getJsonObject(2).getString("detail")).contains("card declined");
  }

  @Test
  void aStockRejectionRejectsTheOrder() {
    double failed = counter("orders.failed", "reason", "rejected");
    String orderId = newOrder("BILLING");
    publish(Topics.CATALOG_STOCK, sagaEvent("StockRejected", orderId, new JsonObject().put("reason", "insufficient stock")
      .put("lines", new JsonArray().add(new JsonObject().put("productId", earbuds).put("requested", 2)
        .put("available", 1))).put("rejectedAt", now())));
    awaitStatus(orderId, token, "REJECTED");
    assertThat(counter("orders.failed", "reason", "rejected")).isEqualTo(failed + 1);
    assertThat(get("/orders?status=REJECTED", token).bodyAsJsonObject().getJsonArray("items").stream()
      .map(o -> ((JsonObject) o).getString("orderId"))).contains(orderId);
  }

  @Test
  void aCancelledPaidOrderIsRefundedThenCancelled() throws InterruptedException {
    double cancelled = counter("orders.failed", "reason", "cancelled");
    String orderId = newOrder("BILLING");
    stockReserved(orderId);
    awaitStatus(orderId, token, "PAYMENT_PENDING");
    paymentCompleted(orderId);
    awaitStatus(orderId, token, "PAID");

    HttpResponse<Buffer> res = post("/orders/" + orderId + "/cancel", token, null,
      new JsonObject().put("reason", "changed my mind").toBuffer());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(202);
    assertThat(res.bodyAsJsonObject().getString("status")).isEqualTo("CANCEL_REQUESTED");
    assertProblem(post("/orders/" + orderId + "/cancel", token, null, null), 409);
    List<EventEnvelope> events = awaitOrderEvents(orderId, 2);
    assertThat(events.get(1).type()).isEqualTo("OrderCancelRequested");
    assertThat(events.get(1).payload().getString("reason")).isEqualTo("changed my mind");

    // the shipment started anyway (delivery had not seen the cancel yet): recorded, ignored
    publish(Topics.DELIVERY_EVENTS, sagaEvent("DeliveryStarted", orderId, new JsonObject().put("shipmentId", "s-2")
      .put("trackingNumber", "T-2").put("carrier", "CJ").put("startedAt", now())));
    Await.until("DeliveryStarted recorded", Duration.ofSeconds(60),
      () -> timelineTypes(orderId).contains("DeliveryStarted:IGNORED:CANCEL_REQUESTED"));
    EventEnvelope refunded = sagaEvent("PaymentRefunded", orderId, new JsonObject().put("paymentId", "pay-" + orderId)
      .put("paymentKey", "tgen_" + orderId).put("amount", 258_000).put("refundedAt", now())
      .put("reason", "changed my mind"));
    publish(Topics.PAYMENT_EVENTS, refunded);
    awaitStatus(orderId, token, "CANCELLED");
    events = awaitOrderEvents(orderId, 3);
    assertThat(events.get(2).type()).isEqualTo("OrderCancelled");
    assertThat(events.get(2).causationId()).isEqualTo(refunded.id().toString());
    assertThat(counter("orders.failed", "reason", "cancelled")).isEqualTo(cancelled + 1);
    assertThat(timelineTypes(orderId)).contains("OrderCancelRequested:APPLIED:CANCEL_REQUESTED",
      "PaymentRefunded:APPLIED:CANCELLED", "OrderCancelled:APPLIED:CANCELLED");
  }

  @Test
  void aCancelBeforeAnyChargeEndsWithThePaymentVoid() {
    String orderId = newOrder("BILLING");
    assertThat(post("/orders/" + orderId + "/cancel", token, null, null).statusCode()).isEqualTo(202);
    // catalog reserved meanwhile: ignored; payment voids with PaymentFailed(ORDER_CANCELLED)
    stockReserved(orderId);
    Await.until("StockReserved recorded", Duration.ofSeconds(60),
      () -> timelineTypes(orderId).contains("StockReserved:IGNORED:CANCEL_REQUESTED"));
    publish(Topics.PAYMENT_EVENTS, sagaEvent("PaymentFailed", orderId, new JsonObject().put("reason", "ORDER_CANCELLED")
      .put("failedAt", now())));
    awaitStatus(orderId, token, "CANCELLED");
    assertThat(timelineTypes(orderId)).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "OrderCancelRequested:APPLIED:CANCEL_REQUESTED",
      "StockReserved:IGNORED:CANCEL_REQUESTED",
      "PaymentFailed:APPLIED:CANCELLED",
      "OrderCancelled:APPLIED:CANCELLED");
    assertThat(awaitOrderEvents(orderId, 3)).extracting(EventEnvelope::type)
      .containsExactly("OrderPlaced", "OrderCancelRequested", "OrderCancelled");
  }

  @Test
  void aDeliveryFailureRefundsThroughCancelling() {
    String orderId = newOrder("BILLING");
    stockReserved(orderId);
    paymentCompleted(orderId);
    awaitStatus(orderId, token, "PAID");
    publish(Topics.DELIVERY_EVENTS, sagaEvent("DeliveryFailed", orderId, new JsonObject().put("reason", "refused")
      .put("failedAt", now())));
    awaitStatus(orderId, token, "CANCELLING");
    publish(Topics.PAYMENT_EVENTS, sagaEvent("PaymentRefunded", orderId, new JsonObject().put("paymentId", "p")
      .put("paymentKey", "k").put("amount", 258_000).put("refundedAt", now())));
    awaitStatus(orderId, token, "CANCELLED");
    assertThat(awaitOrderEvents(orderId, 2).get(1).payload().getString("reason")).contains("delivery failed");
  }

  @Test
  void aDuplicateEventIsANoOpAndAnInapplicableOneIsRecordedAndIgnored() throws InterruptedException {
    String orderId = newOrder("BILLING");
    stockReserved(orderId);
    awaitStatus(orderId, token, "PAYMENT_PENDING");
    EventEnvelope paid = paymentCompleted(orderId);
    publish(Topics.PAYMENT_EVENTS, paid); // redelivered
    awaitStatus(orderId, token, "PAID");
    // an event that does not apply to PAID: recorded, ignored, not parked
    EventEnvelope late = sagaEvent("StockRejected", orderId, new JsonObject().put("reason", "late")
      .put("lines", new JsonArray()).put("rejectedAt", now()));
    publish(Topics.CATALOG_STOCK, late);
    Await.until("the late event recorded", Duration.ofSeconds(60),
      () -> timelineTypes(orderId).contains("StockRejected:IGNORED:PAID"));
    // the duplicate was read before the late event (same partition, same key), so it was handled by now; the saga
    // keeps no inbox rows: its record of a handled event is the event's timeline row, once
    assertThat(count("SELECT COUNT(*) AS n FROM order_timeline WHERE event_id = ?", paid.id().toString())).isEqualTo(1);
    Thread.sleep(1_000);
    assertThat(timelineTypes(orderId)).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "StockReserved:APPLIED:PAYMENT_PENDING",
      "PaymentCompleted:APPLIED:PAID",
      "StockRejected:IGNORED:PAID");
    assertThat(status(orderId, token)).isEqualTo("PAID");
    // nothing parked
    JsonObject parked = get("/admin/dlq/saga", admin()).bodyAsJsonObject();
    assertThat(parked.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("key"))).doesNotContain(orderId);
    assertProblem(get("/admin/dlq/saga", token), 403);
  }

  @Test
  void aPaymentThatOvertakesItsStockReservationStillPaysTheOrder() {
    String orderId = newOrder("CHECKOUT");
    paymentCompleted(orderId); // payment.events read before catalog.stock: the payment proves the reservation
    awaitStatus(orderId, token, "PAID");
    stockReserved(orderId);
    Await.until("the late reservation recorded", Duration.ofSeconds(60),
      () -> timelineTypes(orderId).contains("StockReserved:IGNORED:PAID"));
    assertThat(status(orderId, token)).isEqualTo("PAID");
  }

  @Test
  void eventsAboutUnknownOrdersAreAcknowledged() {
    String stranger = UUID.randomUUID().toString();
    EventEnvelope e = sagaEvent("StockReserved", stranger, lines(earbuds).put("reservedAt", now()));
    publish(Topics.CATALOG_STOCK, e);
    // acknowledged (its offset committed: the group moves past it), and it leaves no row anywhere
    Await.until("acknowledged", Duration.ofSeconds(60), () -> sagaCommittedAll(Topics.CATALOG_STOCK));
    assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE order_id = ?", stranger)).isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM order_timeline WHERE event_id = ?", e.id().toString())).isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM inbox WHERE consumer = 'order-saga'")).isZero();
  }
}
