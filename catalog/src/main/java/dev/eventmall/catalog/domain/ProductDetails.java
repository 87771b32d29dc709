package dev.eventmall.catalog.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a seller writes about a product (validated at the edge). {@code price} is in KRW; {@code stock} is the number of
 * units available for new orders.
 */
public record ProductDetails(String name, String description, String category, long price, int stock,
                             Map<String, String> attributes, List<String> imageUrls, List<ProductOption> options) {

  public ProductDetails {
    description = description == null ? "" : description;
    attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    imageUrls = List.copyOf(imageUrls);
    options = List.copyOf(options);
  }

  /** The document part (everything but price and stock), as stored in Cassandra and kept in MySQL for repair. */
  public JsonObject document() {
    return new JsonObject()
      .put("name", name)
      .put("description", description)
      .put("category", category)
      .put("attributes", new JsonObject(new LinkedHashMap<>(attributes)))
      .put("imageUrls", new JsonArray(imageUrls))
      .put("options", new JsonArray(options.stream().map(ProductOption::toJson).toList()));
  }

  /** Details from a stored document plus price and stock. */
  public static ProductDetails fromDocument(JsonObject doc, long price, int stock) {
    Map<String, String> attributes = new LinkedHashMap<>();
    doc.getJsonObject("attributes", new JsonObject()).forEach(e -> attributes.put(e.getKey(), String.valueOf(e.getValue())));
    return new ProductDetails(doc.getString("name"), doc.getString("description", ""), doc.getString("category"), price,
      stock, attributes, doc.getJsonArray("imageUrls", new JsonArray()).stream().map(String::valueOf).toList(),
      doc.getJsonArray("options", new JsonArray()).stream().map(o -> ProductOption.fromJson((JsonObject) o)).toList());
  }

  public ProductDetails withPriceAndStock(long price, int stock) {
    return new ProductDetails(name, description, category, price, stock, attributes, imageUrls, options);
  }
}
