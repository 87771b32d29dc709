package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code catalog.products} ProductDeleted v1: a seller deleted a product; key = productId. */
public record ProductDeleted(String productId, String sellerId, Long version, Instant deletedAt)
  implements EventPayload {
  public ProductDeleted {
    requiredText(productId, "productId");
    requiredText(sellerId, "sellerId");
    required(version, "version");
    required(deletedAt, "deletedAt");
  }
}
