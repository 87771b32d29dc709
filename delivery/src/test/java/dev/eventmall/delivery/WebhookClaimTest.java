package dev.eventmall.delivery;

import dev.eventmall.common.testing.Await;
import dev.eventmall.emulators.carrier.CarrierConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A carrier webhook's claimed status ({@code data.status}) decides only whether delivery asks the carrier: a claim that
 * would not move the stored shipment (the ACCEPTED of a shipment just booked, a repeat, a stale one) costs no
 * {@code GET /v1/shipments/{tn}}; a claim of a move, or no claim, is re-read and applied as before. The carrier's own
 * webhooks go nowhere here and the poller waits an hour, so every read the emulator counts is a webhook's.
 */
class WebhookClaimTest extends DeliveryTestSupport {

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults().stepInterval(Duration.ZERO);
  }

  @Override
  Map<String, String> settings() {
    return Map.of(DeliverySettings.POLL_INTERVAL_MS, "3600000");
  }

  @Test
  void aClaimThatWouldNotMoveTheShipmentIsNotReReadAndAClaimOfAMoveIs() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");
    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");
    int booked = carrier.trackingReads(tn);

    // the ACCEPTED webhook of a shipment delivery booked itself, three times: nothing to learn
    for (int i = 0; i < 3; i++) {
      assertThat(webhook(claim(tn, "ACCEPTED")).bodyAsString()).isEqualTo("{\"received\":true}");
    }
    pause(1_000);
    assertThat(carrier.trackingReads(tn)).as("carrier reads after ACCEPTED claims").isEqualTo(booked);
    assertThat(shipment(orderId).getString("status")).isEqualTo("ACCEPTED");

    // the carrier moves it; a webhook claiming the move is re-read and applied
    Await.result(carrier.advance(tn));
    assertThat(webhook(claim(tn, "IN_TRANSIT")).statusCode()).isEqualTo(200);
    assertThat(awaitEvent(orderId, "DeliveryStatusChanged").payload().getString("status")).isEqualTo("IN_TRANSIT");
    assertThat(carrier.trackingReads(tn)).isEqualTo(booked + 1);
    assertThat(shipment(orderId).getString("status")).isEqualTo("IN_TRANSIT");

    // a stale claim and a repeat of the move: no read
    webhook(claim(tn, "ACCEPTED"));
    webhook(claim(tn, "IN_TRANSIT"));
    pause(1_000);
    assertThat(carrier.trackingReads(tn)).as("carrier reads after a stale and a repeated claim").isEqualTo(booked + 1);

    // a webhook that claims nothing (or something unknown) is re-read, as before claims were read
    webhook(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED").put("data", new JsonObject()
      .put("trackingNumber", tn)));
    Await.until("the claimless webhook's re-read", Duration.ofSeconds(10),
      () -> carrier.trackingReads(tn) == booked + 2);
    webhook(claim(tn, "LOST_IN_SPACE"));
    Await.until("the unknown claim's re-read", Duration.ofSeconds(10), () -> carrier.trackingReads(tn) == booked + 3);
    assertThat(eventsOf(orderId).stream().map(e -> e.type() + ":" + e.payload().getString("status", "")).toList())
      .containsExactly("DeliveryStarted:", "DeliveryStatusChanged:IN_TRANSIT");
  }

  private static JsonObject claim(String trackingNumber, String status) {
    return new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")
      .put("data", new JsonObject().put("trackingNumber", trackingNumber).put("status", status));
  }
}
