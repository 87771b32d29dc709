package dev.eventmall.payment.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** One order's payment row. {@code amount}, {@code memberId} and {@code method} are null for a row voided first. */
public record Payment(String paymentId, String orderId, String memberId, Long amount, PaymentMethod method,
                      String orderName, PaymentStatus status, String paymentKey, String tossStatus, String failureCode,
                      String failureMessage, Instant approvedAt, Instant refundedAt, Instant createdAt,
                      Instant updatedAt) {

  /** The API view (no internal fields). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("paymentId", paymentId).put("orderId", orderId).put("memberId", memberId)
      .put("amount", amount).put("method", method == null ? null : method.name()).put("status", status.name())
      .put("paymentKey", paymentKey).put("tossStatus", tossStatus).put("failureCode", failureCode)
      .put("failureMessage", failureMessage)
      .put("approvedAt", approvedAt == null ? null : approvedAt.toString())
      .put("refundedAt", refundedAt == null ? null : refundedAt.toString())
      .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
    json.getMap().values().removeIf(v -> v == null);
    return json;
  }
}
