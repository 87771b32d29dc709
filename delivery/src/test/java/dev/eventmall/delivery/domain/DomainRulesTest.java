package dev.eventmall.delivery.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Rules without I/O: forward-only status moves, the retry backoff, the carrier request body. */
class DomainRulesTest {

  @Test
  void statusesOnlyMoveForwardAndNeverLeaveATerminalStatus() {
    assertThat(ShipmentStatus.PENDING.canMoveTo(ShipmentStatus.ACCEPTED)).isTrue();
    assertThat(ShipmentStatus.ACCEPTED.canMoveTo(ShipmentStatus.IN_TRANSIT)).isTrue();
    assertThat(ShipmentStatus.ACCEPTED.canMoveTo(ShipmentStatus.DELIVERED)).isTrue();
    assertThat(ShipmentStatus.IN_TRANSIT.canMoveTo(ShipmentStatus.FAILED)).isTrue();
    assertThat(ShipmentStatus.IN_TRANSIT.canMoveTo(ShipmentStatus.ACCEPTED)).isFalse();
    assertThat(ShipmentStatus.IN_TRANSIT.canMoveTo(ShipmentStatus.IN_TRANSIT)).isFalse();
    assertThat(ShipmentStatus.DELIVERED.canMoveTo(ShipmentStatus.RETURNED)).isFalse();
    assertThat(ShipmentStatus.CANCELLED.canMoveTo(ShipmentStatus.DELIVERED)).isFalse();
    assertThat(ShipmentStatus.ofCarrier("IN_TRANSIT")).contains(ShipmentStatus.IN_TRANSIT);
    assertThat(ShipmentStatus.ofCarrier("CANCELLED")).isEmpty();   // ours, not the carrier's
    assertThat(ShipmentStatus.ofCarrier("LOST")).isEmpty();
  }

  @Test
  void backoffDoublesUpToItsMaximumAndIsBounded() {
    Backoff backoff = new Backoff(4, Duration.ofMillis(100), Duration.ofMillis(300));
    assertThat(backoff.after(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.after(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.after(3)).isEqualTo(Duration.ofMillis(300));
    assertThat(backoff.after(40)).isEqualTo(Duration.ofMillis(300));
    assertThat(backoff.exhausted(3)).isFalse();
    assertThat(backoff.exhausted(4)).isTrue();
  }

  @Test
  void carrierRequestCarriesTheAddressSnapshotAndTheLines() {
    JsonObject address = new JsonObject().put("addressId", "a-1").put("recipient", "Kim").put("phone", "010-1234-5678")
      .put("zipCode", "06236").put("line1", "123 Teheran-ro");
    JsonArray lines = new JsonArray()
      .add(new JsonObject().put("productId", "p-1").put("quantity", 2).put("unitPrice", 100))
      .add(new JsonObject().put("productId", "p-2").put("quantity", 1).put("unitPrice", 100));
    JsonObject body = ShippingRequest.of("ord-1", address, lines, "Two things");
    assertThat(body.getString("orderId")).isEqualTo("ord-1");
    assertThat(body.getJsonObject("recipient")).isEqualTo(new JsonObject().put("name", "Kim").put("phone", "010-1234-5678"));
    assertThat(body.getJsonObject("address")).isEqualTo(new JsonObject().put("zipCode", "06236").put("line1", "123 Teheran-ro"));
    assertThat(body.getJsonArray("items")).hasSize(2);
    assertThat(body.getJsonArray("items").getJsonObject(0).getInteger("quantity")).isEqualTo(2);
    assertThat(body.getJsonArray("items").getJsonObject(1).getString("sku")).isEqualTo("p-2");
  }
}
