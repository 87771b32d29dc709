package dev.eventmall.common.event.payload;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/**
 * {@code catalog.products} ProductCreated v1 and ProductUpdated v1 (one shape: the product's whole new state);
 * key = productId. The schema requires description, attributes, imageUrls and options; a payload without them reads
 * as empty (the projections have always taken them so), never as null.
 */
public record ProductChanged(String productId, String sellerId, String name, String description, String category,
                             Long price, Long stock, Map<String, String> attributes, List<String> imageUrls,
                             List<Option> options, Long version, Instant createdAt, Instant updatedAt)
  implements EventPayload {
  public ProductChanged {
    requiredText(productId, "productId");
    requiredText(sellerId, "sellerId");
    requiredText(name, "name");
    requiredText(category, "category");
    required(price, "price");
    required(stock, "stock");
    required(version, "version");
    required(createdAt, "createdAt");
    required(updatedAt, "updatedAt");
    description = description == null ? "" : description;
    attributes = attributes == null ? Map.of() : attributes;
    imageUrls = imageUrls == null ? List.of() : imageUrls;
    options = options == null ? List.of() : options;
  }

  /** A product option and its values (e.g. size: S, M, L). */
  public record Option(String name, List<String> values) {
    public Option {
      required(name, "name");
      required(values, "values");
    }
  }
}
