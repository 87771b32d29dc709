package dev.eventmall.order.domain;

/** A requested line: which product and how many; the price is never the client's. */
public record LineRequest(String productId, int quantity) {
}
