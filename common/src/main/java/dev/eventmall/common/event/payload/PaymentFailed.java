package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code payment.events} PaymentFailed v1: charging an order failed; key = orderId. */
public record PaymentFailed(String orderId, String paymentId, String reason, Instant failedAt, String code)
  implements OrderScoped {
  public PaymentFailed {
    requiredText(orderId, "orderId");
  }
}
