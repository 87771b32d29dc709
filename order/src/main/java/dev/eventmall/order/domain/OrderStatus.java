package dev.eventmall.order.domain;

/** The states of an order (docs/saga.md, "Order state machine"). */
public enum OrderStatus {
  PENDING,
  PAYMENT_PENDING,
  AWAITING_PAYMENT,
  PAID,
  SHIPPING,
  DELIVERED,
  REJECTED,
  PAYMENT_FAILED,
  CANCEL_REQUESTED,
  CANCELLING,
  CANCELLED;

  /** DELIVERED, REJECTED, PAYMENT_FAILED and CANCELLED: nothing moves an order out of them. */
  public boolean terminal() {
    return this == DELIVERED || this == REJECTED || this == PAYMENT_FAILED || this == CANCELLED;
  }
}
