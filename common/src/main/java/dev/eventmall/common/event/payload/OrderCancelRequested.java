package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code order.events} OrderCancelRequested v1: the customer asked to cancel before shipping; key = orderId. */
public record OrderCancelRequested(String orderId, String reason, Instant requestedAt) implements OrderScoped {
  public OrderCancelRequested {
    requiredText(orderId, "orderId");
    requiredText(reason, "reason");
    required(requestedAt, "requestedAt");
  }
}
