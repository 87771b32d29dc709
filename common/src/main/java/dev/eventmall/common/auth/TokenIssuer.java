package dev.eventmall.common.auth;

import dev.eventmall.common.config.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.Collection;
import java.util.Objects;
import java.util.UUID;

/**
 * Issues access tokens: {@code sub} (member id), {@code roles}, {@code iat}, {@code exp}, {@code iss}, {@code aud} and a
 * random {@code jti}. Used by the member service at login and by tests. The provider must hold a signing key
 * (the HS256 secret, or the RS256 private key).
 */
public final class TokenIssuer {

  private final JWTAuth auth;
  private final String algorithm;
  private final long ttlSeconds;

  private TokenIssuer(JWTAuth auth, String algorithm, long ttlSeconds) {
    if (ttlSeconds <= 0 || ttlSeconds > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("ttlSeconds must be positive, got " + ttlSeconds);
    }
    this.auth = Objects.requireNonNull(auth, "auth");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.ttlSeconds = ttlSeconds;
  }

  /** An issuer with an explicit algorithm ({@link Jwt#HS256} / {@link Jwt#RS256}) and token lifetime. */
  public static TokenIssuer create(JWTAuth auth, String algorithm, long ttlSeconds) {
    return new TokenIssuer(auth, algorithm, ttlSeconds);
  }

  /** An issuer using the configured algorithm and {@code JWT_ACCESS_TTL_SECONDS}. */
  public static TokenIssuer create(JWTAuth auth, Config config) {
    return new TokenIssuer(auth, Jwt.algorithm(config), config.jwtAccessTtlSeconds());
  }

  /** The lifetime of issued tokens, in seconds (for {@code expires_in}). */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  /** A signed access token for {@code subject} with {@code roles}, valid for {@link #ttlSeconds()}. */
  public String issue(String subject, Collection<String> roles) {
    return issue(subject, roles, ttlSeconds);
  }

  /** A signed access token with a specific lifetime. */
  public String issue(String subject, Collection<String> roles, long ttlSeconds) {
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("subject is required");
    }
    if (ttlSeconds <= 0 || ttlSeconds > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("ttlSeconds must be positive, got " + ttlSeconds);
    }
    JsonObject claims = new JsonObject()
      .put("sub", subject)
      .put("roles", new JsonArray(roles.stream().map(String::valueOf).distinct().toList()))
      .put("jti", UUID.randomUUID().toString());
    JWTOptions options = Jwt.jwtOptions(algorithm).setExpiresInSeconds((int) ttlSeconds);
    return auth.generateToken(claims, options);
  }
}
