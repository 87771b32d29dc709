package dev.eventmall.common.event.payload;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** A quantity of one product: a line of StockReserved and StockReleased. */
public record ProductQuantity(String productId, Integer quantity) {
  public ProductQuantity {
    requiredText(productId, "productId");
    required(quantity, "quantity");
  }
}
