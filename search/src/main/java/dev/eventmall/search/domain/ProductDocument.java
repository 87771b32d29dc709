package dev.eventmall.search.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    try {
      String id = productId(p);
      long version = version(p);
      String name = required(p, "name");
      String category = required(p, "category");
      Number price = p.getNumber("price");
      if (price == null || price.longValue() < 0) {
        throw new IllegalArgumentException("price must be a non-negative integer");
      }
      Instant createdAt = instant(p.getString("createdAt"));
      Instant updatedAt = p.getString("updatedAt") == null ? createdAt : instant(p.getString("updatedAt"));
      JsonArray images = p.getJsonArray("imageUrls", new JsonArray());
      String imageUrl = images.isEmpty() ? null : String.valueOf(images.getValue(0));

      Map<String, Integer> tokens = new LinkedHashMap<>();
      weigh(tokens, p.getString("description", ""), DESCRIPTION_WEIGHT);
      JsonObject attributes = p.getJsonObject("attributes", new JsonObject());
      attributes.forEach(e -> weigh(tokens, String.valueOf(e.getValue()), ATTRIBUTE_WEIGHT));
      JsonArray options = p.getJsonArray("options", new JsonArray());
      for (Object o : options) {
        if (o instanceof JsonObject option) {
          option.getJsonArray("values", new JsonArray()).forEach(v -> weigh(tokens, String.valueOf(v), ATTRIBUTE_WEIGHT));
        }
      }
      weigh(tokens, category, CATEGORY_WEIGHT);
      weigh(tokens, name, NAME_WEIGHT);
      return new ProductDocument(id, p.getString("sellerId"), name, category, price.longValue(), imageUrl, version,
        createdAt, updatedAt, tokens);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("malformed product payload: " + e.getMessage(), e);
    }
  }

  /** The product id of any product payload (created, updated, deleted); must be a UUID. */
  public static String productId(JsonObject p) {
    String id = required(p, "productId");
    try {
      return UUID.fromString(id).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("productId is not a UUID: " + id);
    }
  }

  /** The product version of any product payload; must be an integer ≥ 1. */
  public static long version(JsonObject p) {
    Object v = p.getValue("version");
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1) {
      throw new IllegalArgumentException("version must be an integer >= 1, got " + v);
    }
    return ((Number) v).longValue();
  }

  private static void weigh(Map<String, Integer> tokens, String text, int weight) {
    for (String t : Tokenizer.indexTokens(text)) {
      tokens.merge(t, weight, Math::max);
    }
  }

  private static String required(JsonObject p, String field) {
    String v = p.getString(field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return v;
  }

  private static Instant instant(String s) {
    if (s == null) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO-8601 instant: " + s);
    }
  }

  @Override
  public String toString() {
    return "ProductDocument[" + productId + " v" + version + " '" + name + "' " + category.toLowerCase(Locale.ROOT) + "]";
  }
}
