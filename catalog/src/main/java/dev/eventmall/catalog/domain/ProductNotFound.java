package dev.eventmall.catalog.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.UUID;

/** No such product: never created, deleted, or (for a change) another seller's, which must look the same. */
public final class ProductNotFound extends DomainException {
  private final UUID productId;

  public ProductNotFound(UUID productId) {
    super(Kind.NOT_FOUND, null, null, "Product " + productId + " does not exist");
    this.productId = productId;
  }

  public UUID productId() {
    return productId;
  }
}
