package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

/**
 * Issue 16 row 7: the customer already holds {@code cap} unpaid CHECKOUT orders (each holds its stock until it is paid
 * or expires) and may not place another.
 */
public final class TooManyUnpaidOrders extends DomainException {
  private final int cap;

  public TooManyUnpaidOrders(int cap) {
    super(Kind.CONFLICT, "too-many-unpaid-orders", "Too many unpaid orders",
      "You have " + cap + " orders waiting for payment; pay or cancel one first");
    this.cap = cap;
  }

  public int cap() {
    return cap;
  }
}
