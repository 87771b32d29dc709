package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

/** No such order, or one of another customer's (as absent as one that does not exist). */
public final class OrderNotFound extends DomainException {
  public OrderNotFound() {
    super(Kind.NOT_FOUND, null, null, "No such order");
  }
}
