package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code delivery.events} DeliveryStatusChanged v1: the carrier moved the shipment; key = orderId. */
public record DeliveryStatusChanged(String orderId, String trackingNumber, String status, String previousStatus,
                                    Instant changedAt, String description) implements OrderScoped {
  public DeliveryStatusChanged {
    requiredText(orderId, "orderId");
    requiredText(trackingNumber, "trackingNumber");
    requiredText(status, "status");
    required(changedAt, "changedAt");
  }
}
