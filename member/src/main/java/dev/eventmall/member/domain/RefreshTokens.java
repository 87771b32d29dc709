package dev.eventmall.member.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Opaque refresh tokens: 256 random bits, base64url; only their SHA-256 (hex) is stored. */
public final class RefreshTokens {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RefreshTokens() {
  }

  /** A new random token (43 base64url characters). */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of {@code token}: lower-case hex SHA-256. */
  public static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code token} has the shape of a token this service issues (cheap pre-check before any query). */
  public static boolean wellFormed(String token) {
    return token != null && token.length() == 43 && token.chars().allMatch(c ->
      c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_');
  }
}
