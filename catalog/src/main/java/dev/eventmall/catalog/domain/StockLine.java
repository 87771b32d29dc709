package dev.eventmall.catalog.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
   * The lines of an order's {@code lines} array, one per product (quantities of repeated products summed), sorted by
   * product id: every transaction locks stock rows in this order, so concurrent reservations cannot deadlock.
   */
  public static List<StockLine> normalize(JsonArray lines) {
    if (lines == null || lines.isEmpty()) {
      throw new IllegalArgumentException("an order needs at least one line");
    }
    Map<String, Integer> byProduct = new TreeMap<>();
    for (Object o : lines) {
      JsonObject line = (JsonObject) o;
      int quantity = line.getInteger("quantity");
      if (quantity < 1) {
        throw new IllegalArgumentException("quantity must be >= 1, got " + quantity);
      }
      byProduct.merge(line.getString("productId"), quantity, Math::addExact);
    }
    return byProduct.entrySet().stream().map(e -> new StockLine(e.getKey(), e.getValue())).toList();
  }

  public JsonObject toJson() {
    return new JsonObject().put("productId", productId).put("quantity", quantity);
  }

  public static JsonArray toJson(List<StockLine> lines) {
    return new JsonArray(lines.stream().map(StockLine::toJson).toList());
  }
}
