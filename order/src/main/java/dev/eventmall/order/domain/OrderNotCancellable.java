package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.Map;

/** The order's state no longer allows its owner to cancel it ({@link OrderStateMachine} refused CANCEL_REQUESTED). */
public final class OrderNotCancellable extends DomainException {
  private final OrderStatus status;

  public OrderNotCancellable(OrderStatus status) {
    super(Kind.CONFLICT, "order-not-cancellable", "Order cannot be cancelled",
      "An order in state " + status + " can no longer be cancelled");
    this.status = status;
  }

  public OrderStatus status() {
    return status;
  }

  @Override
  public Map<String, Object> facts() {
    return Map.of("orderStatus", status.name());
  }
}
