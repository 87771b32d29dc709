package dev.eventmall.common.event.payload;

import java.time.Instant;
import java.util.List;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/**
 * {@code catalog.stock} StockReserved v1: every line of an order was reserved; key = orderId. Also carries what
 * payment needs to charge, copied from the OrderPlaced when it had them (docs/saga.md).
 */
public record StockReserved(String orderId, List<ProductQuantity> lines, Instant reservedAt, String memberId,
                            Long totalAmount, String paymentMethod, String orderName) implements OrderScoped {
  public StockReserved {
    requiredText(orderId, "orderId");
    required(lines, "lines");
    required(reservedAt, "reservedAt");
  }
}
