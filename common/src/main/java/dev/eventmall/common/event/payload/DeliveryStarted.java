package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code delivery.events} DeliveryStarted v1: the carrier accepted the shipment; key = orderId. */
public record DeliveryStarted(String orderId, String shipmentId, String trackingNumber, String carrier,
                              Instant startedAt) implements OrderScoped {
  public DeliveryStarted {
    requiredText(orderId, "orderId");
    requiredText(shipmentId, "shipmentId");
    requiredText(trackingNumber, "trackingNumber");
    requiredText(carrier, "carrier");
    required(startedAt, "startedAt");
  }
}
