package dev.eventmall.order.domain;

/** A product as the order service knows it from {@code catalog.products}. */
public record Product(String productId, String sellerId, String name, long price, long version, boolean deleted) {
}
