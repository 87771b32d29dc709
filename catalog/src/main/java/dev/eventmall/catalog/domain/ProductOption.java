package dev.eventmall.catalog.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** A purchasable variation of a product, e.g. {@code {name: "size", values: ["S", "M"]}}. */
public record ProductOption(String name, List<String> values) {

  public ProductOption {
    values = List.copyOf(values);
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("values", new JsonArray(values));
  }

  public static ProductOption fromJson(JsonObject json) {
    return new ProductOption(json.getString("name"),
      json.getJsonArray("values").stream().map(String::valueOf).toList());
  }
}
