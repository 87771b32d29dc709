package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

/** The customer's Idempotency-Key already placed an order from a different request. */
public final class IdempotencyKeyReused extends DomainException {
  public IdempotencyKeyReused() {
    super(Kind.UNPROCESSABLE, "idempotency-key-reused", "Idempotency-Key reused",
      "This Idempotency-Key was already used with a different request body");
  }
}
