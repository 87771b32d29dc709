package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code payment.events} PaymentRefunded v1: Toss cancelled (refunded) the order's payment; key = orderId. */
public record PaymentRefunded(String orderId, String paymentId, String paymentKey, Long amount, Instant refundedAt,
                              String reason) implements OrderScoped {
  public PaymentRefunded {
    requiredText(orderId, "orderId");
    requiredText(paymentId, "paymentId");
    requiredText(paymentKey, "paymentKey");
    required(amount, "amount");
    required(refundedAt, "refundedAt");
  }
}
