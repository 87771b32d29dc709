package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code order.events} OrderCancelled v1: an order was cancelled; key = orderId. */
public record OrderCancelled(String orderId, String reason, Instant cancelledAt) implements OrderScoped {
  public OrderCancelled {
    requiredText(orderId, "orderId");
    required(cancelledAt, "cancelledAt");
  }
}
