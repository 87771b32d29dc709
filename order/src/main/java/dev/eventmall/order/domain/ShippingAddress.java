package dev.eventmall.order.domain;

/** A member's shipping address, as projected from {@code AddressAdded}; orders keep a snapshot of it. */
public record ShippingAddress(String addressId, String memberId, String recipient, String phone, String zipCode,
                              String line1, String line2) {
}
