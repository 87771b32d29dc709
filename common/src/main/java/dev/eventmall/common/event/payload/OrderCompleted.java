package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code order.events} OrderCompleted v1: an order was delivered; key = orderId. */
public record OrderCompleted(String orderId, Instant completedAt) implements OrderScoped {
  public OrderCompleted {
    requiredText(orderId, "orderId");
    required(completedAt, "completedAt");
  }
}
