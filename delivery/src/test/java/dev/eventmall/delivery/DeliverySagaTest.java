package dev.eventmall.delivery;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery saga against the carrier emulator with a hand-driven clock (advance / fail on demand) and a fast
 * tracking poller: OrderPlaced + PaymentCompleted → one carrier shipment → DeliveryStarted → polling → DeliveryCompleted,
 * and every failure path.
 */
class DeliverySagaTest extends DeliveryTestSupport {

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults().stepInterval(Duration.ZERO);
  }

  @Override
  Map<String, String> settings() {
    return Map.of(DeliverySettings.POLL_INTERVAL_MS, "300");
  }

  private static final Pattern BREAKER_OPEN = Pattern.compile("deliveries_carrier_breaker_state(\\{[^}]*})? 2\\.0");
  private static final Pattern BREAKER_CLOSED = Pattern.compile("deliveries_carrier_breaker_state(\\{[^}]*})? 0\\.0");

  @AfterEach
  void clearFaults() {
    carrier.clearFaults();
  }

  /** Every test starts with a closed breaker (the outage test closes it again before it ends). */
  @BeforeEach
  void breakerClosed() {
    Await.until("the carrier breaker is closed", Duration.ofSeconds(30), () -> BREAKER_CLOSED.matcher(metrics()).find());
  }

  @Test
  void paymentCompletedCreatesOneShipmentAndPollingFollowsItToDeliveryCompleted() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");

    EventEnvelope started = awaitEvent(orderId, "DeliveryStarted");
    List<JsonObject> atCarrier = carrier.shipmentsFor(orderId);
    assertThat(atCarrier).hasSize(1);
    String tn = atCarrier.get(0).getString("trackingNumber");
    assertThat(started.payload().getString("trackingNumber")).isEqualTo(tn);
    assertThat(started.payload().getString("shipmentId")).isEqualTo(atCarrier.get(0).getString("shipmentId"));
    assertThat(started.payload().getString("carrier")).isEqualTo("EVENTMALL_PARCEL");
    assertThat(started.correlationId()).isEqualTo(orderId);
    assertThat(started.causationId()).isNotNull();
    assertThat(atCarrier.get(0).getJsonObject("address").getString("zipCode")).isEqualTo("06236");
    assertThat(atCarrier.get(0).getJsonObject("recipient").getString("name")).isEqualTo("Kim Minsu");
    assertThat(shipment(orderId).getString("tracking_number")).isEqualTo(tn);

    Await.result(carrier.advance(tn));
    EventEnvelope inTransit = awaitEvent(orderId, "DeliveryStatusChanged");
    assertThat(inTransit.payload().getString("status")).isEqualTo("IN_TRANSIT");
    assertThat(inTransit.payload().getString("trackingNumber")).isEqualTo(tn);

    Await.result(carrier.advance(tn));
    EventEnvelope completed = awaitEvent(orderId, "DeliveryCompleted");
    assertThat(completed.payload().getString("trackingNumber")).isEqualTo(tn);
    assertThat(eventsOf(orderId).stream().map(e -> e.type() + ":" + e.payload().getString("status", "")).toList())
      .containsExactly("DeliveryStarted:", "DeliveryStatusChanged:IN_TRANSIT", "DeliveryStatusChanged:DELIVERED",
        "DeliveryCompleted:");

    var res = getDelivery(orderId, customerToken(memberOf(orderId)));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("orderId")).isEqualTo(orderId);
    assertThat(body.getString("status")).isEqualTo("DELIVERED");
    assertThat(body.getString("trackingNumber")).isEqualTo(tn);
    assertThat(body.getString("carrier")).isEqualTo("EVENTMALL_PARCEL");
    JsonArray events = body.getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("status")).toList())
      .containsExactly("PENDING", "ACCEPTED", "IN_TRANSIT", "DELIVERED");
    assertThat(events.stream().allMatch(e -> ((JsonObject) e).getString("at") != null)).isTrue();

    String metrics = metrics();
    assertThat(metrics).contains("deliveries_started_total").contains("deliveries_completed_total")
      .contains("deliveries_failed_total").contains("deliveries_carrier_breaker_state");
  }

  @Test
  void paymentCompletedDeliveredTwiceCreatesOneShipment() {
    String orderId = newOrderId();
    EventEnvelope paid = paymentCompleted(orderId);
    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, "06236"));
    publish(Topics.PAYMENT_EVENTS, paid);
    publish(Topics.PAYMENT_EVENTS, paid);                      // redelivery of the same event
    EventEnvelope again = paymentCompleted(orderId);
    RecordMetadata last = publish(Topics.PAYMENT_EVENTS, again); // a second event for the same order (same partition)

    awaitEvent(orderId, "DeliveryStarted");
    awaitHandled(last);                                         // all three handled (the saga keeps no inbox rows)
    pause(1_500);
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    assertThat(eventsOf(orderId, "DeliveryStarted")).hasSize(1);
  }

  @Test
  void carrierRefusalEmitsDeliveryFailedAtOnce() {
    String orderId = newOrderId();
    placeAndPay(orderId, "00000");   // the carrier answers 422 ADDRESS_UNDELIVERABLE

    EventEnvelope failed = awaitEvent(orderId, "DeliveryFailed");
    assertThat(failed.payload().getString("reason")).contains("ADDRESS_UNDELIVERABLE");
    assertThat(failed.payload().containsKey("trackingNumber")).isFalse();
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();
    assertThat(eventsOf(orderId, "DeliveryStarted")).isEmpty();
    JsonObject row = shipment(orderId);
    assertThat(row.getString("status")).isEqualTo("FAILED");
    assertThat(row.getInteger("attempts")).isZero();
  }

  @Test
  void carrier5xxThenOkCreatesOneShipmentWithTheSameIdempotencyKey() {
    String orderId = newOrderId();
    // every create answers 500, but the first one DID create the shipment (answer lost): only the key keeps it single
    carrier.faults(Faults.none().withErrors(1.0, "INTERNAL_ERROR", 500).withErrorApplyEffect(true)
      .withPaths(List.of("/v1/shipments")));
    placeAndPay(orderId, "06236");
    Await.until("a failed attempt", Duration.ofSeconds(30), () -> {
      JsonObject row = shipment(orderId);
      return row != null && row.getInteger("attempts") >= 1;
    });
    carrier.clearFaults();

    EventEnvelope started = awaitEvent(orderId, "DeliveryStarted");
    List<JsonObject> atCarrier = carrier.shipmentsFor(orderId);
    assertThat(atCarrier).hasSize(1);
    assertThat(started.payload().getString("trackingNumber")).isEqualTo(atCarrier.get(0).getString("trackingNumber"));
    assertThat(shipment(orderId).getString("idempotency_key")).isEqualTo("ship:" + orderId);
  }

  @Test
  void carrier5xxWithoutEffectIsRetriedUntilTheCarrierAnswers() {
    String orderId = newOrderId();
    carrier.faults(Faults.none().withErrors(1.0, "INTERNAL_ERROR", 503).withPaths(List.of("/v1/shipments")));
    placeAndPay(orderId, "06236");
    Await.until("two failed attempts", Duration.ofSeconds(30), () -> {
      JsonObject row = shipment(orderId);
      return row != null && row.getInteger("attempts") >= 2;
    });
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();
    carrier.clearFaults();

    awaitEvent(orderId, "DeliveryStarted");
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    assertThat(eventsOf(orderId, "DeliveryFailed")).isEmpty();
  }

  @Test
  void carrierTimeoutAfterTheEffectIsRetriedWithTheSameKeyAndShipsOnce() {
    String orderId = newOrderId();
    // the carrier creates the shipment but answers after 3 s; the client gives up after 2 s (outcome unknown)
    carrier.faults(Faults.none().withTimeout(3_000, true).withPaths(List.of("/v1/shipments")));
    placeAndPay(orderId, "06236");
    Await.until("a timed-out attempt", Duration.ofSeconds(30), () -> {
      JsonObject row = shipment(orderId);
      return row != null && row.getInteger("attempts") >= 1 && !carrier.shipmentsFor(orderId).isEmpty();
    });
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    carrier.clearFaults();

    EventEnvelope started = awaitEvent(orderId, "DeliveryStarted");
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    assertThat(started.payload().getString("trackingNumber"))
      .isEqualTo(carrier.shipmentsFor(orderId).get(0).getString("trackingNumber"));
  }

  @Test
  void carrierOutageBeyondTheRetriesEmitsDeliveryFailedAndOpensTheBreaker() {
    String orderId = newOrderId();
    carrier.faults(Faults.none().withOutage(Faults.Outage.SERVICE_UNAVAILABLE));
    placeAndPay(orderId, "06236");

    Await.until("the breaker opens", Duration.ofSeconds(30), () -> BREAKER_OPEN.matcher(metrics()).find());
    EventEnvelope failed = awaitEvent(orderId, "DeliveryFailed");
    assertThat(failed.payload().getString("reason")).contains("carrier unavailable after 8 attempts");
    assertThat(shipment(orderId).getString("status")).isEqualTo("FAILED");
    assertThat(shipment(orderId).getInteger("attempts")).isEqualTo(7);
    carrier.clearFaults();
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();
    assertThat(eventsOf(orderId, "DeliveryStarted")).isEmpty();

    // the carrier is back: the next order ships once the breaker's trial call succeeds, and the breaker closes
    String next = newOrderId();
    placeAndPay(next, "06236");
    awaitEvent(next, "DeliveryStarted");
    Await.until("the breaker closes", Duration.ofSeconds(30), () -> BREAKER_CLOSED.matcher(metrics()).find());
  }

  @Test
  void shipmentFailedOnDemandEmitsDeliveryFailedWithTheTrackingNumber() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");
    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");

    Await.result(carrier.fail(tn, "RETURNED", "Recipient refused the parcel"));
    EventEnvelope failed = awaitEvent(orderId, "DeliveryFailed");
    assertThat(failed.payload().getString("trackingNumber")).isEqualTo(tn);
    assertThat(failed.payload().getString("reason")).contains("RETURNED").contains("Recipient refused the parcel");
    assertThat(shipment(orderId).getString("status")).isEqualTo("RETURNED");
    assertThat(getDelivery(orderId, adminToken()).bodyAsJsonObject().getString("status")).isEqualTo("RETURNED");
  }

  @Test
  void orderCancelRequestedBeforePaymentCompletedShipsNothing() {
    String orderId = newOrderId();
    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, "06236"));
    publish(Topics.ORDER_EVENTS, cancelRequested(orderId));
    // the two topics are read concurrently (no order between them): the cancel must be applied before the payment
    // arrives, or this is the "cancel after the shipment was booked" case (the carrier shipment is cancelled instead)
    Await.until("OrderCancelRequested applied", Duration.ofSeconds(30), () -> {
      JsonObject order = row("SELECT cancel_requested FROM delivery_order WHERE order_id = ?", orderId);
      return order != null && order.getInteger("cancel_requested", 0) == 1;
    });
    publish(Topics.PAYMENT_EVENTS, paymentCompleted(orderId));

    Await.until("the shipment row", Duration.ofSeconds(30), () -> shipment(orderId) != null);
    assertThat(shipment(orderId).getString("status")).isEqualTo("CANCELLED");
    pause(1_000);
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();
    assertThat(eventsOf(orderId)).isEmpty();
    assertThat(getDelivery(orderId, customerToken(memberOf(orderId))).bodyAsJsonObject().getString("status"))
      .isEqualTo("CANCELLED");
  }

  @Test
  void orderCancelRequestedWhileAcceptedCancelsWithTheCarrier() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");
    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");

    publish(Topics.ORDER_EVENTS, cancelRequested(orderId));
    EventEnvelope changed = awaitEvent(orderId, "DeliveryStatusChanged");
    assertThat(changed.payload().getString("status")).isEqualTo("CANCELED");
    assertThat(carrier.shipmentsFor(orderId).get(0).getString("status")).isEqualTo("CANCELED");
    assertThat(shipment(orderId).getString("status")).isEqualTo("CANCELED");
    assertThat(eventsOf(orderId, "DeliveryFailed")).isEmpty();
    assertThat(tn).isNotBlank();
  }

  /**
   * PaymentCompleted before its OrderPlaced (delivery lagging on order.events, as at 400 orders/s in the bench) is not
   * applicable yet: the bridge keeps retrying it beyond its 8 attempts (16 s) without parking it, and it applies once
   * OrderPlaced has been read — one shipment, nothing on the dead-letter topic. Before, it was parked after 16 s and
   * its order stayed PAID until an admin replayed it.
   */
  @Test
  void paymentCompletedBeforeOrderPlacedWaitsBeyondItsAttemptsAndAppliesOnceTheOrderIsKnown() throws Exception {
    String orderId = newOrderId();
    EventEnvelope paid = paymentCompleted(orderId);
    publish(Topics.PAYMENT_EVENTS, paid);

    Thread.sleep(20_000); // longer than the 8 attempts' backoff (0.2 + 0.4 + … + 5 s ≈ 16 s)
    var parked = Await.result(client.get("/admin/dlq").bearerTokenAuthentication(adminToken()).send());
    assertThat(parked.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
      .filter(i -> i.getJsonObject("event") != null && paid.id().toString().equals(i.getJsonObject("event").getString("id"))))
      .as("parked").isEmpty();
    assertThat(shipment(orderId)).isNull();
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();

    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, "06236"));
    awaitEvent(orderId, "DeliveryStarted");
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
  }

  @Test
  void getDeliveryIsForTheOrdersMemberOrAdminOnly() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");
    awaitEvent(orderId, "DeliveryStarted");

    var own = getDelivery(orderId, customerToken(memberOf(orderId)));
    assertThat(own.statusCode()).as(own.bodyAsString()).isEqualTo(200);
    assertThat(own.bodyAsJsonObject().getString("status")).isEqualTo("ACCEPTED");
    assertThat(getDelivery(orderId, adminToken()).statusCode()).isEqualTo(200);
    assertProblem(getDelivery(orderId, customerToken("someone-else")), 404);
    assertProblem(getDelivery("bad%20id!", customerToken(memberOf(orderId))), 404);
    assertProblem(getDelivery(newOrderId(), adminToken()), 404);
    assertProblem(getDelivery(orderId, null), 401);
  }

  @Test
  void webhookIsVerifiedWithTheCarrierAndABogusTrackingNumberChangesNothing() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");
    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");
    int before = deliveryEvents.records().size();

    // issue 16 row 11: a number that is not ours gets the answer ours gets (before: 404 for it, and ours answered with
    // its order id and status — a lookup oracle); only a malformed body is refused
    var bogus = webhook(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")
      .put("data", new JsonObject().put("trackingNumber", "699999999999").put("status", "DELIVERED")));
    assertProblem(webhook(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")), 422);
    assertProblem(webhook(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")
      .put("data", new JsonObject().put("trackingNumber", "../x"))), 422);
    // a forged body claiming DELIVERED: the carrier says ACCEPTED, so nothing moves
    var forged = webhook(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")
      .put("data", new JsonObject().put("trackingNumber", tn).put("status", "DELIVERED")));
    assertThat(forged.statusCode()).as(forged.bodyAsString()).isEqualTo(200);
    assertThat(bogus.statusCode()).as(bogus.bodyAsString()).isEqualTo(200);
    assertThat(forged.bodyAsString()).isEqualTo(bogus.bodyAsString()).isEqualTo("{\"received\":true}");
    assertThat(forged.getHeader("Content-Type")).isEqualTo(bogus.getHeader("Content-Type"));

    pause(1_000);
    assertThat(shipment(orderId).getString("status")).isEqualTo("ACCEPTED");
    assertThat(eventsOf(orderId, "DeliveryCompleted")).isEmpty();
    assertThat(deliveryEvents.records().stream().skip(before).filter(r -> orderId.equals(r.key())).toList()).isEmpty();
  }

  @Test
  void deadLetterAdminIsForAdminsOnly() {
    assertProblem(Await.result(client.get("/admin/dlq").bearerTokenAuthentication(customerToken("m-1")).send()), 403);
    var res = Await.result(client.get("/admin/dlq").bearerTokenAuthentication(adminToken()).send());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    assertThat(Await.result(client.get("/health/ready").send()).statusCode()).isEqualTo(200);
    assertThat(Await.result(client.get("/openapi.yaml").send()).bodyAsString()).contains("/deliveries/{orderId}");
  }
}
