package dev.eventmall.catalog.domain;

import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.ProductQuantity;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A quantity of one product held for an order. */
public record StockLine(String productId, int quantity) {

  public StockLine {
    if (productId == null || productId.isBlank()) {
      throw new IllegalArgumentException("productId is required");
    }
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be >= 1, got " + quantity);
    }
  }

  /**
   * The lines of an OrderPlaced, one per product (quantities of repeated products summed), sorted by
   * product id: every transaction locks stock rows in this order, so concurrent reservations cannot deadlock.
   */
  public static List<StockLine> normalize(List<OrderPlaced.Line> lines) {
    if (lines == null || lines.isEmpty()) {
      throw new IllegalArgumentException("an order needs at least one line");
    }
    Map<String, Integer> byProduct = new TreeMap<>();
    for (OrderPlaced.Line line : lines) {
      int quantity = line.quantity();
      if (quantity < 1) {
        throw new IllegalArgumentException("quantity must be >= 1, got " + quantity);
      }
      byProduct.merge(line.productId(), quantity, Math::addExact);
    }
    return byProduct.entrySet().stream().map(e -> new StockLine(e.getKey(), e.getValue())).toList();
  }

  /** {@code lines} as the lines of a StockReserved or StockReleased. */
  public static List<ProductQuantity> toPayload(List<StockLine> lines) {
    return lines.stream().map(l -> new ProductQuantity(l.productId(), l.quantity())).toList();
  }
}
