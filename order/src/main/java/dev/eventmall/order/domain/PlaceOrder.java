package dev.eventmall.order.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** A validated {@code POST /orders} request of one member. */
public record PlaceOrder(String memberId, List<LineRequest> lines, String addressId, PaymentMethod paymentMethod) {

  public PlaceOrder {
    lines = List.copyOf(lines);
  }

  /** SHA-256 of the canonical request: what an Idempotency-Key is bound to. */
  public String requestHash() {
    StringBuilder canonical = new StringBuilder();
    for (LineRequest line : lines) {
      canonical.append(line.productId()).append('\u0000').append(line.quantity()).append('\u0001');
    }
    canonical.append('\u0002').append(addressId).append('\u0002').append(paymentMethod.name());
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
