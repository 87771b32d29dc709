package dev.eventmall.catalog.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A product of one seller. {@code version} starts at 1 and grows by one on every change (update or delete); it orders
 * the product's events and is the write timestamp of its Cassandra document.
 */
public record Product(UUID id, String sellerId, ProductDetails details, long version, boolean deleted,
                      Instant createdAt, Instant updatedAt) {

  public Product {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sellerId, "sellerId");
    Objects.requireNonNull(details, "details");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
  }

  /** A new product, version 1. */
  public static Product create(String sellerId, ProductDetails details, Instant now) {
    return new Product(UUID.randomUUID(), sellerId, details, 1, false, now, now);
  }

  public boolean ownedBy(String sellerId) {
    return this.sellerId.equals(sellerId);
  }

  /** This product with new details, one version later. */
  public Product update(ProductDetails newDetails, Instant now) {
    ensureLive();
    return new Product(id, sellerId, newDetails, version + 1, false, createdAt, now);
  }

  /** This product deleted, one version later. */
  public Product delete(Instant now) {
    ensureLive();
    return new Product(id, sellerId, details, version + 1, true, createdAt, now);
  }

  private void ensureLive() {
    if (deleted) {
      throw new IllegalStateException("product " + id + " is deleted");
    }
  }

  /** The API view, which is also the payload of ProductCreated / ProductUpdated. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("productId", id.toString())
      .put("sellerId", sellerId)
      .put("name", details.name())
      .put("description", details.description())
      .put("category", details.category())
      .put("price", details.price())
      .put("stock", details.stock())
      .put("attributes", details.document().getJsonObject("attributes"))
      .put("imageUrls", details.document().getJsonArray("imageUrls"))
      .put("options", details.document().getJsonArray("options"))
      .put("version", version)
      .put("createdAt", createdAt.toString())
      .put("updatedAt", updatedAt.toString());
  }

  /** The payload of ProductDeleted. */
  public JsonObject deletedPayload() {
    return new JsonObject().put("productId", id.toString()).put("sellerId", sellerId).put("version", version)
      .put("deletedAt", updatedAt.toString());
  }
}
