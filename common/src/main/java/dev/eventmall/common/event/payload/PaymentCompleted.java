package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code payment.events} PaymentCompleted v1: Toss approved the order's payment; key = orderId. */
public record PaymentCompleted(String orderId, String paymentId, String paymentKey, Long amount, String method,
                               Instant approvedAt) implements OrderScoped {
  public PaymentCompleted {
    requiredText(orderId, "orderId");
    requiredText(paymentId, "paymentId");
    requiredText(paymentKey, "paymentKey");
    required(amount, "amount");
    requiredText(method, "method");
    required(approvedAt, "approvedAt");
  }
}
