package dev.eventmall.payment.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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

  /**
   * HMAC-SHA256 (hex, 32 digits) of the parts joined by NUL under {@code secret}: an idempotency-key component derived
   * from card data. Keyed, so the value logged in {@code payment_attempts} cannot be brute-forced back to a card number.
   */
  public static String digest(String secret, String... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)))
        .substring(0, 32);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
