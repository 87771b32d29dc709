package dev.eventmall.common.event.payload;

import java.time.Instant;
import java.util.List;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code catalog.stock} StockRejected v1: an order could not be reserved, nothing was; key = orderId. */
public record StockRejected(String orderId, String reason, List<Shortage> lines, Instant rejectedAt)
  implements OrderScoped {
  public StockRejected {
    requiredText(orderId, "orderId");
    required(reason, "reason");
    required(lines, "lines");
    required(rejectedAt, "rejectedAt");
  }

  /** A product the order asked more of than there was. */
  public record Shortage(String productId, Integer requested, Integer available) {
    public Shortage {
      requiredText(productId, "productId");
      required(requested, "requested");
      required(available, "available");
    }
  }
}
