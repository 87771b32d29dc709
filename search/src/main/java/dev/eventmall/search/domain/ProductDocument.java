package dev.eventmall.search.domain;

import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.payload.ProductChanged;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What the index keeps of a product, read from a {@code ProductCreated} / {@code ProductUpdated} payload, with its
 * weighted tokens: a token's weight is the highest weight of the fields it occurs in (name 10, category 5, attribute
 * and option values 2, description 1). The relevance of a hit is the sum of the weights of the query's tokens.
 */
public record ProductDocument(String productId, String sellerId, String name, String category, long price,
                              String imageUrl, long version, Instant createdAt, Instant updatedAt,
                              Map<String, Integer> tokens) {

  public static final int NAME_WEIGHT = 10;
  public static final int CATEGORY_WEIGHT = 5;
  public static final int ATTRIBUTE_WEIGHT = 2;
  public static final int DESCRIPTION_WEIGHT = 1;

  public ProductDocument {
    Objects.requireNonNull(productId, "productId");
    tokens = Map.copyOf(tokens);
  }

  /** The normalized form of a category used as its index key (trimmed, case-folded). */
  public static String categoryKey(String category) {
    return Tokenizer.normalize(category).trim();
  }

  /**
   * Reads a product payload.
   *
   * @throws IllegalArgumentException when a required field is missing or has the wrong type (the event is then retried
   *                                  and parked by the bridge)
   */
  public static ProductDocument fromPayload(JsonObject p) {
    return of(EventPayloads.read(p, ProductChanged.class));
  }

  /** What the index keeps of a {@code ProductCreated} / {@code ProductUpdated}. */
  public static ProductDocument of(ProductChanged p) {
    String id = productId(p.productId());
    long version = version(p.version());
    if (p.price() < 0) {
      throw new IllegalArgumentException("price must be a non-negative integer");
    }
    String imageUrl = p.imageUrls().isEmpty() ? null : p.imageUrls().get(0);

    Map<String, Integer> tokens = new LinkedHashMap<>();
    weigh(tokens, p.description(), DESCRIPTION_WEIGHT);
    p.attributes().values().forEach(v -> weigh(tokens, v, ATTRIBUTE_WEIGHT));
    for (ProductChanged.Option option : p.options()) {
      option.values().forEach(v -> weigh(tokens, v, ATTRIBUTE_WEIGHT));
    }
    weigh(tokens, p.category(), CATEGORY_WEIGHT);
    weigh(tokens, p.name(), NAME_WEIGHT);
    return new ProductDocument(id, p.sellerId(), p.name(), p.category(), p.price(), imageUrl, version,
      p.createdAt(), p.updatedAt(), tokens);
  }

  /** A product id of a product payload (created, updated, deleted); must be a UUID. */
  public static String productId(String id) {
    try {
      return UUID.fromString(id).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("productId is not a UUID: " + id);
    }
  }

  /** A product version of a product payload; must be ≥ 1. */
  public static long version(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("version must be an integer >= 1, got " + v);
    }
    return v;
  }

  private static void weigh(Map<String, Integer> tokens, String text, int weight) {
    for (String t : Tokenizer.indexTokens(text)) {
      tokens.merge(t, weight, Math::max);
    }
  }

  @Override
  public String toString() {
    return "ProductDocument[" + productId + " v" + version + " '" + name + "' " + category.toLowerCase(Locale.ROOT) + "]";
  }
}
