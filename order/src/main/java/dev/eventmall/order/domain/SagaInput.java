package dev.eventmall.order.domain;

import java.util.Optional;

/**
 * What can happen to an order: the saga events it consumes (by their event type) and the customer's cancel command.
 */
public enum SagaInput {
  STOCK_RESERVED("StockReserved"),
  STOCK_REJECTED("StockRejected"),
  STOCK_RELEASED("StockReleased"),
  PAYMENT_COMPLETED("PaymentCompleted"),
  PAYMENT_FAILED("PaymentFailed"),
  PAYMENT_REFUNDED("PaymentRefunded"),
  DELIVERY_STARTED("DeliveryStarted"),
  DELIVERY_STATUS_CHANGED("DeliveryStatusChanged"),
  DELIVERY_COMPLETED("DeliveryCompleted"),
  DELIVERY_FAILED("DeliveryFailed"),
  /** {@code POST /orders/{id}/cancel}. */
  CANCEL_REQUESTED("OrderCancelRequested");

  private final String eventType;

  SagaInput(String eventType) {
    this.eventType = eventType;
  }

  public String eventType() {
    return eventType;
  }

  /** The input for a consumed event type; empty for types the saga does not know (they are ignored). */
  public static Optional<SagaInput> ofEventType(String type) {
    for (SagaInput input : values()) {
      if (input != CANCEL_REQUESTED && input.eventType.equals(type)) {
        return Optional.of(input);
      }
    }
    return Optional.empty();
  }
}
