package dev.eventmall.delivery;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.emulators.carrier.CarrierConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracking by carrier webhook only: the poller is set to an hour, the carrier emulator moves shipments on a fast clock
 * and posts SHIPMENT_STATUS_CHANGED to {@code /deliveries/webhooks/carrier}.
 */
class WebhookTrackingTest extends DeliveryTestSupport {

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults().stepInterval(Duration.ofMillis(400))
      .webhookRetryDelays(List.of(Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(2)));
  }

  @Override
  Map<String, String> settings() {
    return Map.of(DeliverySettings.POLL_INTERVAL_MS, "3600000");
  }

  @BeforeAll
  void pointWebhookAtDelivery() {
    carrier.webhookUrl("http://127.0.0.1:" + port + "/deliveries/webhooks/carrier");
  }

  @Test
  void carrierWebhooksDriveTheShipmentToDeliveryCompleted() {
    String orderId = newOrderId();
    placeAndPay(orderId, "06236");

    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");
    EventEnvelope completed = awaitEvent(orderId, "DeliveryCompleted");
    assertThat(completed.payload().getString("trackingNumber")).isEqualTo(tn);
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    assertThat(eventsOf(orderId).stream().map(e -> e.type() + ":" + e.payload().getString("status", "")).toList())
      .containsExactly("DeliveryStarted:", "DeliveryStatusChanged:IN_TRANSIT", "DeliveryStatusChanged:DELIVERED",
        "DeliveryCompleted:");
    assertThat(shipment(orderId).getString("status")).isEqualTo("DELIVERED");
    assertThat(carrier.webhookDeliveries().stream().anyMatch(d -> d.delivered())).isTrue();
  }
}
