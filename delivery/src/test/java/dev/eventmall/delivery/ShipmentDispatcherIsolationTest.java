package dev.eventmall.delivery;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.testing.Await;
import dev.eventmall.delivery.domain.ShippingRequest;
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One batch of bookings where the carrier answers one order with a tracking number another shipment already has (the
 * load bench's "Duplicate entry … for key 'uq_shipment_tracking'"): before, the batch's single transaction failed, the
 * same answers came back on every retry (same Idempotency-Key) and no order of the batch ever shipped. The batch is
 * made for real: the carrier answers 503 to the first attempts (nothing created), the rows' next attempt is a minute
 * away, and then all are made due at once, so one dispatch round books them together.
 */
class ShipmentDispatcherIsolationTest extends DeliveryTestSupport {

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults().stepInterval(Duration.ZERO);
  }

  @Override
  Map<String, String> settings() {
    return Map.of(DeliverySettings.CARRIER_RETRY_INITIAL_MS, "60000", DeliverySettings.CARRIER_RETRY_MAX_MS, "60000",
      DeliverySettings.BREAKER_MAX_FAILURES, "1000", DeliverySettings.POLL_INTERVAL_MS, "3600000");
  }

  @Test
  void anAnswerWhoseTrackingNumberAnotherShipmentHasFailsOnlyItsOrderAndTheRestOfTheBatchShips() {
    List<String> orders = IntStream.range(0, 4).mapToObj(i -> newOrderId()).toList();
    String poison = orders.get(0);
    List<String> others = orders.subList(1, orders.size());
    Object[] ids = orders.toArray();
    String in = "(?, ?, ?, ?)";

    carrier.faults(Faults.none().withErrors(1.0, "INTERNAL_ERROR", 503).withPaths(List.of("/v1/shipments")));
    orders.forEach(id -> placeAndPay(id, "06236"));
    Await.until("every order's first attempt answered 503", Duration.ofSeconds(60), () -> harness.count(
      "SELECT COUNT(*) AS n FROM shipment WHERE status = 'PENDING' AND attempts = 1 AND order_id IN " + in, ids) == 4);
    carrier.clearFaults();
    assertThat(carrier.shipments()).isEmpty();

    // ask the carrier as the service will (same key, same body): the tracking number it will answer the poison order
    JsonObject order = row("SELECT shipping_address, order_lines, order_name FROM delivery_order WHERE order_id = ?", poison);
    JsonObject body = ShippingRequest.of(poison, new JsonObject(order.getString("shipping_address")),
      new JsonArray(order.getString("order_lines")), order.getString("order_name"));
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> booked;
    try {
      booked = Await.result(web.postAbs(carrier.baseUrl() + "/v1/shipments")
        .putHeader("Authorization", "Bearer " + DeliverySettings.DEFAULT_CARRIER_API_KEY)
        .putHeader("Idempotency-Key", shipment(poison).getString("idempotency_key"))
        .sendJsonObject(body));
    } finally {
      web.close();
    }
    assertThat(booked.statusCode()).as(booked.bodyAsString()).isEqualTo(201);
    String tn = booked.bodyAsJsonObject().getString("trackingNumber");

    // another order's shipment already has that number
    String holder = newOrderId();
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    Await.result(db.preparedQuery("INSERT INTO shipment (order_id, status, carrier, shipment_id, tracking_number, "
        + "idempotency_key, attempts, next_attempt_at, cause_event_id, created_at, updated_at) "
        + "VALUES (?, 'ACCEPTED', 'EVENTMALL_PARCEL', ?, ?, ?, 0, ?, ?, ?, ?)")
      .execute(Tuple.wrap(List.of(holder, "shp_holder", tn, "ship:" + holder, now, UUID.randomUUID().toString(), now,
        now))));

    // all four due at once: the next dispatch round books them in one batch
    Await.result(db.preparedQuery("UPDATE shipment SET next_attempt_at = ? WHERE order_id IN " + in)
      .execute(Tuple.wrap(List.of(now.minusSeconds(1), ids[0], ids[1], ids[2], ids[3]))));

    for (String id : others) {
      EventEnvelope started = awaitEvent(id, "DeliveryStarted");
      List<JsonObject> atCarrier = carrier.shipmentsFor(id);
      assertThat(atCarrier).hasSize(1);
      assertThat(started.payload().getString("trackingNumber")).isEqualTo(atCarrier.get(0).getString("trackingNumber"));
      assertThat(shipment(id).getString("status")).isEqualTo("ACCEPTED");
      assertThat(shipment(id).getString("tracking_number")).isEqualTo(atCarrier.get(0).getString("trackingNumber"));
    }

    EventEnvelope failed = awaitEvent(poison, "DeliveryFailed");
    String reason = "carrier returned tracking number " + tn + ", which the shipment of order " + holder
      + " already has";
    assertThat(failed.payload().getString("reason")).isEqualTo(reason);
    assertThat(failed.payload().containsKey("trackingNumber")).isFalse();
    JsonObject poisoned = shipment(poison);
    assertThat(poisoned.getString("status")).isEqualTo("FAILED");
    assertThat(poisoned.getString("failure_reason")).isEqualTo(reason);
    assertThat(poisoned.getString("tracking_number")).isNull();
    assertThat(getDelivery(poison, adminToken()).bodyAsJsonObject().getString("status")).isEqualTo("FAILED");
    // the other order keeps its number, and its parcel is not cancelled at the carrier
    assertThat(shipment(holder).getString("status")).isEqualTo("ACCEPTED");
    assertThat(shipment(holder).getString("tracking_number")).isEqualTo(tn);
    assertThat(carrier.shipmentsFor(poison)).extracting(s -> s.getString("status")).containsExactly("ACCEPTED");

    // nothing is left to retry: no PENDING row, and one event per order after further dispatch rounds
    pause(1_500);
    assertThat(harness.count("SELECT COUNT(*) AS n FROM shipment WHERE status = 'PENDING'")).isZero();
    assertThat(eventsOf(poison)).extracting(EventEnvelope::type).containsExactly("DeliveryFailed");
    for (String id : others) {
      assertThat(eventsOf(id)).extracting(EventEnvelope::type).containsExactly("DeliveryStarted");
    }
  }
}
