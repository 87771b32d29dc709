package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code delivery.events} DeliveryCompleted v1: the carrier delivered the shipment; key = orderId. */
public record DeliveryCompleted(String orderId, String trackingNumber, Instant deliveredAt) implements OrderScoped {
  public DeliveryCompleted {
    requiredText(orderId, "orderId");
    requiredText(trackingNumber, "trackingNumber");
    required(deliveredAt, "deliveredAt");
  }
}
