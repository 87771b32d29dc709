package dev.eventmall.order.domain;

import dev.eventmall.common.event.EventTypes;

import java.util.Optional;

/**
 * What can happen to an order: the saga events it consumes (by their event type) and the customer's cancel command.
 */
public enum SagaInput {
  STOCK_RESERVED(EventTypes.STOCK_RESERVED),
  STOCK_REJECTED(EventTypes.STOCK_REJECTED),
  STOCK_RELEASED(EventTypes.STOCK_RELEASED),
  PAYMENT_COMPLETED(EventTypes.PAYMENT_COMPLETED),
  PAYMENT_FAILED(EventTypes.PAYMENT_FAILED),
  PAYMENT_REFUNDED(EventTypes.PAYMENT_REFUNDED),
  DELIVERY_STARTED(EventTypes.DELIVERY_STARTED),
  DELIVERY_STATUS_CHANGED(EventTypes.DELIVERY_STATUS_CHANGED),
  DELIVERY_COMPLETED(EventTypes.DELIVERY_COMPLETED),
  DELIVERY_FAILED(EventTypes.DELIVERY_FAILED),
  /** {@code POST /orders/{id}/cancel}. */
  CANCEL_REQUESTED(EventTypes.ORDER_CANCEL_REQUESTED);

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
