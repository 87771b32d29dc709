package dev.eventmall.common.event.payload;

import java.time.Instant;
import java.util.List;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/**
 * {@code catalog.stock} StockReleased v1: an order's reservation was released; {@code cause} is the type of the event
 * that released it; key = orderId.
 */
public record StockReleased(String orderId, List<ProductQuantity> lines, String cause, Instant releasedAt)
  implements OrderScoped {
  public StockReleased {
    requiredText(orderId, "orderId");
    required(lines, "lines");
    requiredText(cause, "cause");
    required(releasedAt, "releasedAt");
  }
}
