package dev.eventmall.catalog;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stock reservation and release driven by order, payment and delivery events, over real Kafka and MariaDB. */
class StockReservationTest extends CatalogTestSupport {

  TopicReader stockEvents;

  @BeforeAll
  void readStock() {
    stockEvents = new TopicReader(TestInfra.kafka(), Topics.CATALOG_STOCK);
  }

  @AfterAll
  void closeReader() throws InterruptedException {
    stockEvents.close();
  }

  /** The catalog.stock events of {@code orderIds}, validated against their schemas. */
  List<EventEnvelope> stockEventsOf(Set<String> orderIds) {
    List<EventEnvelope> events = stockEvents.records().stream().filter(r -> orderIds.contains(r.key()))
      .map(r -> EventEnvelope.fromJson(new JsonObject(r.value()))).toList();
    events.forEach(EventSchemas::validate);
    return events;
  }

  List<EventEnvelope> awaitStockEvents(Set<String> orderIds, int n) {
    Await.until(n + " stock events", Duration.ofSeconds(60), () -> stockEventsOf(orderIds).size() >= n);
    return stockEventsOf(orderIds);
  }

  @Test
  void fiftyConcurrentOrdersForTheLastTenUnitsReserveExactlyTenAndRejectForty() throws Exception {
    String productId = productWithStock(10);
    List<EventEnvelope> placed = IntStream.range(0, 50)
      .mapToObj(i -> orderPlaced("order-" + UUID.randomUUID(), line(productId, 1))).toList();
    placed.forEach(EventSchemas::validate);
    // all 50 at once, as the order service would publish them (one key per order, spread over the partitions)
    List<Future<?>> sends = placed.stream().<Future<?>>map(e ->
      producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS, e.key(), e.toJson().encode()))).toList();
    for (Future<?> send : sends) {
      send.get();
    }
    Set<String> orderIds = placed.stream().map(EventEnvelope::key).collect(Collectors.toSet());

    List<EventEnvelope> answers = awaitStockEvents(orderIds, 50);
    assertThat(answers).hasSize(50);
    assertThat(answers.stream().filter(e -> e.type().equals("StockReserved"))).hasSize(10);
    assertThat(answers.stream().filter(e -> e.type().equals("StockRejected"))).hasSize(40);
    assertThat(answers.stream().map(EventEnvelope::key).collect(Collectors.toSet())).isEqualTo(orderIds);
    for (EventEnvelope answer : answers) {
      EventEnvelope cause = placed.stream().filter(p -> p.key().equals(answer.key())).findFirst().orElseThrow();
      assertThat(answer.causationId()).isEqualTo(cause.id().toString());
      assertThat(answer.correlationId()).isEqualTo(cause.correlationId());
      if (answer.type().equals("StockRejected")) {
        JsonObject l = answer.payload().getJsonArray("lines").getJsonObject(0);
        assertThat(l.getInteger("requested")).isEqualTo(1);
        assertThat(l.getInteger("available")).isZero();
      }
    }
    JsonObject stock = stock(productId);
    assertThat(stock.getInteger("available")).isZero();
    assertThat(stock.getInteger("reserved")).isEqualTo(10);
    assertThat(row("SELECT COUNT(*) AS n, SUM(quantity) AS q FROM reservation WHERE product_id = ? AND status = 'RESERVED'",
      productId).getInteger("n")).isEqualTo(10);
    assertThat(get("/products/" + productId).bodyAsJsonObject().getInteger("stock")).isZero();

    // the database itself refuses negative stock, whatever a statement tries
    Throwable refused = Await.failure(db.preparedQuery("UPDATE stock SET available = available - 1 WHERE product_id = ?")
      .execute(Tuple.of(productId)));
    assertThat(refused.getMessage()).containsIgnoringCase("constraint");
    assertThat(stock(productId).getInteger("available")).isZero();
  }

  @Test
  void anOrderIsReservedWholeOrNotAtAll() {
    String plenty = productWithStock(100);
    String scarce = productWithStock(1);
    String orderId = "order-" + UUID.randomUUID();
    JsonArray lines = line(plenty, 5).add(line(scarce, 2).getJsonObject(0));
    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, lines));

    EventEnvelope rejected = awaitStockEvents(Set.of(orderId), 1).get(0);
    assertThat(rejected.type()).isEqualTo("StockRejected");
    assertThat(rejected.payload().getString("reason")).isNotBlank();
    assertThat(rejected.payload().getJsonArray("lines").stream().map(o -> (JsonObject) o)
      .filter(l -> l.getString("productId").equals(scarce)).findFirst().orElseThrow().getInteger("available"))
      .isEqualTo(1);
    assertThat(stock(plenty).getInteger("available")).as("the line that fit was not kept").isEqualTo(100);
    assertThat(stock(plenty).getInteger("reserved")).isZero();
    assertThat(stock(scarce).getInteger("available")).isEqualTo(1);
    assertThat(row("SELECT COUNT(*) AS n FROM reservation WHERE order_id = ?", orderId).getInteger("n")).isZero();
  }

  @Test
  void aPaymentFailureDeliveredTwiceRestoresStockExactlyOnce() throws Exception {
    String productId = productWithStock(5);
    String orderId = "order-" + UUID.randomUUID();
    EventEnvelope placed = orderPlaced(orderId, line(productId, 3));
    publish(Topics.ORDER_EVENTS, placed);
    EventEnvelope reserved = awaitStockEvents(Set.of(orderId), 1).get(0);
    assertThat(reserved.type()).isEqualTo("StockReserved");
    // what payment needs to charge travels with the reservation (docs/saga.md)
    assertThat(reserved.payload().getString("memberId")).isEqualTo("member-" + orderId);
    assertThat(reserved.payload().getLong("totalAmount")).isEqualTo(1_000L);
    assertThat(reserved.payload().getString("paymentMethod")).isEqualTo("BILLING");
    assertThat(stock(productId).getInteger("available")).isEqualTo(2);
    assertThat(stock(productId).getInteger("reserved")).isEqualTo(3);

    EventEnvelope failed = EventEnvelope.causedBy(placed, "PaymentFailed", orderId, new JsonObject()
      .put("orderId", orderId).put("paymentId", "pay-" + orderId).put("reason", "card declined")
      .put("failedAt", Instant.now().toString()));
    publish(Topics.PAYMENT_EVENTS, failed);
    // the same event (same id) delivered again: handled once the group committed past it
    awaitStockHandled(publish(Topics.PAYMENT_EVENTS, failed));

    List<EventEnvelope> events = awaitStockEvents(Set.of(orderId), 2);
    // a later, different release for the same order (the customer's cancel arrives too) is a no-op as well
    publish(Topics.ORDER_EVENTS, EventEnvelope.causedBy(placed, "OrderCancelled", orderId, new JsonObject()
      .put("orderId", orderId).put("reason", "payment failed").put("cancelledAt", Instant.now().toString())));
    Thread.sleep(3_000); // give a second release every chance to show up
    events = stockEventsOf(Set.of(orderId));
    assertThat(events).extracting(EventEnvelope::type).containsExactly("StockReserved", "StockReleased");
    EventEnvelope released = events.get(1);
    assertThat(released.causationId()).isEqualTo(failed.id().toString());
    assertThat(released.payload().getString("cause")).isEqualTo("PaymentFailed");
    assertThat(released.payload().getJsonArray("lines").getJsonObject(0).getInteger("quantity")).isEqualTo(3);
    assertThat(stock(productId).getInteger("available")).isEqualTo(5);
    assertThat(stock(productId).getInteger("reserved")).isZero();
    assertThat(row("SELECT status FROM reservation WHERE order_id = ?", orderId).getString("status"))
      .isEqualTo("RELEASED");
  }

  @Test
  void aReleaseForAnOrderWithoutReservationIsANoOp() {
    String productId = productWithStock(4);
    String orderId = "order-" + UUID.randomUUID();
    EventEnvelope deliveryFailed = EventEnvelope.of("DeliveryFailed", orderId, new JsonObject()
      .put("orderId", orderId).put("reason", "address not found").put("failedAt", Instant.now().toString()));
    awaitStockHandled(publish(Topics.DELIVERY_EVENTS, deliveryFailed));

    assertThat(stockEventsOf(Set.of(orderId))).isEmpty();
    assertThat(stock(productId).getInteger("available")).isEqualTo(4);
    assertThat(row("SELECT COUNT(*) AS n FROM reservation WHERE order_id = ?", orderId).getInteger("n")).isZero();
    assertThat(row("SELECT COUNT(*) AS n FROM outbox WHERE event_key = ?", orderId).getInteger("n")).isZero();
    assertThat(published(Topics.CATALOG_STOCK)).as("events published for %s", orderId)
      .noneMatch(r -> orderId.equals(r.key()));
  }

  /**
   * An OrderPlaced whose payload does not read into its record (a quantity sent as text) goes the way of any poison
   * event: it fails alone, is retried, then parked on the dead-letter topic and listed for the admin with the field
   * named, and nothing is reserved nor emitted for it; the order published after it is reserved.
   */
  @Test
  void anOrderPlacedThatDoesNotReadIsParkedAloneAndTheNextOrderIsReserved() throws Exception {
    String productId = productWithStock(5);
    String poisonId = "order-" + UUID.randomUUID();
    JsonArray lines = line(productId, 1);
    lines.getJsonObject(0).put("quantity", "1");
    EventEnvelope poison = orderPlaced(poisonId, lines);
    assertThatThrownBy(() -> EventSchemas.validate(poison)).isInstanceOf(IllegalArgumentException.class);
    producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS, poison.key(), poison.toJson().encode())).get();
    String next = "order-" + UUID.randomUUID();
    publish(Topics.ORDER_EVENTS, orderPlaced(next, line(productId, 2)));

    assertThat(awaitStockEvents(Set.of(next), 1).get(0).type()).isEqualTo("StockReserved");
    String admin = tokens.issue("admin-" + UUID.randomUUID(), List.of("ADMIN"));
    Await.until("the poison parked", Duration.ofSeconds(60), () -> parked(admin, poison) != null);
    JsonObject parked = parked(admin, poison);
    assertThat(parked.getString("topic")).isEqualTo(Topics.ORDER_EVENTS);
    assertThat(parked.getString("error")).contains("lines[0].quantity");
    assertThat(parked.getInteger("attempts")).isGreaterThan(1);
    assertThat(stockEventsOf(Set.of(poisonId))).isEmpty();
    assertThat(row("SELECT COUNT(*) AS n FROM reservation WHERE order_id = ?", poisonId).getInteger("n")).isZero();
    assertThat(stock(productId).getInteger("available")).isEqualTo(3);
  }

  /** The parked entry of {@code event} on the admin's dead-letter list, or null. */
  JsonObject parked(String adminToken, EventEnvelope event) {
    JsonObject page = Await.result(client.get("/admin/dlq").addQueryParam("size", "500")
      .bearerTokenAuthentication(adminToken).send()).bodyAsJsonObject();
    return page.getJsonArray("items").stream().map(JsonObject.class::cast)
      .filter(p -> p.getJsonObject("event") != null
        && event.id().toString().equals(p.getJsonObject("event").getString("id")))
      .findFirst().orElse(null);
  }
}
