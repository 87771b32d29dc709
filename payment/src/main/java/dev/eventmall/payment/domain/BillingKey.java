package dev.eventmall.payment.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A member's Toss billing key; the card is known only by Toss's masked number. */
public record BillingKey(String memberId, String customerKey, String billingKey, String cardMasked, String issuerCode,
                         String cardType, Instant createdAt, Instant updatedAt) {

  /** The API view: never the billing key itself. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("memberId", memberId).put("customerKey", customerKey)
      .put("cardMasked", cardMasked).put("issuerCode", issuerCode).put("cardType", cardType)
      .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
    json.getMap().values().removeIf(v -> v == null);
    return json;
  }
}
