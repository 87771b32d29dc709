package dev.eventmall.catalog.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** One page of products; {@code total} counts every live product of the listing. */
public record Page(List<Product> items, int page, int size, long total) {

  public JsonObject toJson() {
    return new JsonObject().put("items", new JsonArray(items.stream().map(Product::toJson).toList()))
      .put("page", page).put("size", size).put("total", total);
  }
}
