package dev.eventmall.emulators.toss;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One money movement the emulator performed: a charge (billing charge or checkout confirm), a declined charge attempt,
 * or a cancel. {@code status} is the payment's status right after it ({@code DONE}, {@code PARTIAL_CANCELED},
 * {@code CANCELED}; {@code ABORTED} for a decline).
 */
public record LedgerEntry(
    long seq,
    Kind kind,
    String type,
    String paymentKey,
    String orderId,
    long amount,
    String status,
    String transactionKey,
    String idempotencyKey,
    String failureCode,
    Instant at) {

  public enum Kind { CHARGE, DECLINE, CANCEL }

  /** The entry {@link #toJson()} wrote. */
  public static LedgerEntry fromJson(JsonObject j) {
    return new LedgerEntry(j.getLong("seq"), Kind.valueOf(j.getString("kind")), j.getString("type"),
        j.getString("paymentKey"), j.getString("orderId"), j.getLong("amount"), j.getString("status"),
        j.getString("transactionKey"), j.getString("idempotencyKey"), j.getString("failureCode"),
        Instant.parse(j.getString("at")));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("kind", kind.name())
        .put("type", type)
        .put("paymentKey", paymentKey)
        .put("orderId", orderId)
        .put("amount", amount)
        .put("status", status)
        .put("transactionKey", transactionKey)
        .put("idempotencyKey", idempotencyKey)
        .put("failureCode", failureCode)
        .put("at", at.toString());
  }
}
