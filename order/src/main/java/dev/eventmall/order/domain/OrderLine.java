package dev.eventmall.order.domain;

/** One line of an order, priced from the order service's product projection. */
public record OrderLine(String productId, String productName, int quantity, long unitPrice) {
  public long amount() {
    return unitPrice * quantity;
  }
}
