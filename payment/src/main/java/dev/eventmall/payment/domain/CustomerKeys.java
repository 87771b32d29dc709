package dev.eventmall.payment.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Derivations that need no I/O: Toss customer keys from member ids and digests for idempotency keys. */
public final class CustomerKeys {
  private CustomerKeys() {
  }

  /**
   * The Toss {@code customerKey} of a member: {@code cust_} + 40 hex digits of SHA-256(memberId). Stable, within Toss's
   * {@code [a-zA-Z0-9-_=.,@]{2,300}}, and it does not expose the member id.
   */
  public static String customerKey(String memberId) {
    return "cust_" + sha256Hex(memberId).substring(0, 40);
  }

  /** Hex SHA-256 of the parts joined by NUL; used for idempotency keys, never stored as card data. */
  public static String digest(String... parts) {
    return sha256Hex(String.join("\u0000", parts)).substring(0, 32);
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
