package dev.eventmall.delivery;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
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

  /**
   * Webhooks arriving together are applied together: the carrier moves 24 shipments to DELIVERED while its webhooks
   * cannot reach delivery, then all 24 arrive at once. Every shipment gets its events in order, in fewer transactions
   * than shipments (one per webhook before group commit).
   */
  @Test
  void webhooksArrivingTogetherCommitTogetherAndEachShipmentKeepsItsOrder() {
    int shipments = 24;
    carrier.webhookUrl("http://127.0.0.1:9/nowhere"); // the carrier's own webhooks go nowhere for now
    try {
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < shipments; i++) {
        String orderId = newOrderId();
        orders.add(orderId);
        placeAndPay(orderId, "06236");
      }
      List<String> tns = orders.stream()
        .map(o -> awaitEvent(o, "DeliveryStarted").payload().getString("trackingNumber")).toList();
      Await.until("the carrier delivered every shipment", Duration.ofSeconds(60), () -> orders.stream()
        .allMatch(o -> "DELIVERED".equals(carrier.shipmentsFor(o).get(0).getString("status"))));
      long commitsBefore = comCommit();
      long updatesBefore = status("Com_update");
      List<Future<?>> sent = new ArrayList<>();
      for (String tn : tns) {
        sent.add(client.post("/deliveries/webhooks/carrier").sendJsonObject(new JsonObject()
          .put("eventType", "SHIPMENT_STATUS_CHANGED").put("data", new JsonObject().put("trackingNumber", tn))));
      }
      Await.result(Future.all(sent));
      for (String orderId : orders) {
        awaitEvent(orderId, "DeliveryCompleted");
        assertThat(eventsOf(orderId).stream().map(e -> e.type() + ":" + e.payload().getString("status", "")).toList())
          .as(orderId).containsExactly("DeliveryStarted:", "DeliveryStatusChanged:IN_TRANSIT",
            "DeliveryStatusChanged:DELIVERED", "DeliveryCompleted:");
        assertThat(shipment(orderId).getString("status")).isEqualTo("DELIVERED");
      }
      long commits = comCommit() - commitsBefore;
      assertThat(commits).as("COMMITs for %d shipments' webhooks", shipments).isPositive().isLessThan(shipments / 2);
      // and a batch moves its shipments with one UPDATE, not one each (24 before)
      long updates = status("Com_update") - updatesBefore;
      assertThat(updates).as("UPDATEs for %d shipments' webhooks", shipments).isPositive().isLessThan(shipments / 2);
    } finally {
      carrier.webhookUrl("http://127.0.0.1:" + port + "/deliveries/webhooks/carrier");
    }
  }

  long comCommit() {
    return status("Com_commit");
  }

  long status(String counter) {
    return Long.parseLong(row("SHOW GLOBAL STATUS LIKE '" + counter + "'").getString("Value"));
  }
}
