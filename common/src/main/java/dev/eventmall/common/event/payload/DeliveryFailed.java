package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code delivery.events} DeliveryFailed v1: a shipment could not be created or delivered; key = orderId. */
public record DeliveryFailed(String orderId, String reason, Instant failedAt, String trackingNumber)
  implements OrderScoped {
  public DeliveryFailed {
    requiredText(orderId, "orderId");
  }
}
