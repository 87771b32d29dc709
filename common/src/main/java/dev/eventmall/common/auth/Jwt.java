package dev.eventmall.common.auth;

import dev.eventmall.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;
import java.util.Optional;

/**
 * Builds the platform's {@link JWTAuth}: HS256 with {@code JWT_SECRET}, or RS256 with a PEM public key (verify) and,
 * for the issuing service, a PEM PKCS#8 private key (sign). Tokens must carry issuer {@value #ISSUER} and audience
 * {@value #AUDIENCE}; expiry is checked with {@value #LEEWAY_SECONDS} s leeway.
 */
public final class Jwt {

  public static final String ISSUER = "eventmall";
  public static final String AUDIENCE = "eventmall-api";
  public static final String HS256 = "HS256";
  public static final String RS256 = "RS256";
  public static final int LEEWAY_SECONDS = 5;

  private Jwt() {
  }

  /** The algorithm the configuration selects: RS256 when {@code JWT_PUBLIC_KEY_FILE} is set, else HS256. */
  public static String algorithm(Config config) {
    return config.jwtUsesRsa() ? RS256 : HS256;
  }

  /**
   * Builds the provider from configuration; key files are read asynchronously (never blocking the event loop). Fails
   * (as a future) on an unreadable or invalid key, or an HS256 secret shorter than 32 characters.
   */
  public static Future<JWTAuth> create(Vertx vertx, Config config) {
    if (!config.jwtUsesRsa()) {
      return Future.succeededFuture(config).map(c -> hs256(vertx, c.jwtSecret()));
    }
    String publicFile = config.jwtPublicKeyFile().orElseThrow();
    Optional<String> privateFile = config.jwtPrivateKeyFile();
    Future<Buffer> publicPem = vertx.fileSystem().readFile(publicFile);
    Future<Buffer> privatePem = privateFile.map(f -> vertx.fileSystem().readFile(f)).orElse(Future.succeededFuture());
    return Future.all(publicPem, privatePem)
      .map(all -> rs256(vertx, publicPem.result().toString(),
        privatePem.result() == null ? null : privatePem.result().toString()));
  }

  /** HS256 provider with a shared secret (verifies and signs). */
  public static JWTAuth hs256(Vertx vertx, String secret) {
    if (secret == null || secret.length() < 32) {
      throw new IllegalArgumentException("the HS256 secret must be at least 32 characters");
    }
    return JWTAuth.create(vertx, options(HS256)
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(HS256).setBuffer(secret)));
  }

  /** RS256 provider: {@code publicPem} verifies; {@code privatePem} (PKCS#8, may be null) signs. */
  public static JWTAuth rs256(Vertx vertx, String publicPem, String privatePem) {
    JWTAuthOptions options = options(RS256)
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(RS256).setBuffer(publicPem));
    if (privatePem != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(RS256).setBuffer(privatePem));
    }
    return JWTAuth.create(vertx, options);
  }

  /** Verification options shared by every provider: issuer, audience, leeway, algorithm. */
  static JWTOptions jwtOptions(String algorithm) {
    return new JWTOptions()
      .setAlgorithm(algorithm)
      .setIssuer(ISSUER)
      .setAudience(List.of(AUDIENCE))
      .setLeeway(LEEWAY_SECONDS);
  }

  private static JWTAuthOptions options(String algorithm) {
    return new JWTAuthOptions().setJWTOptions(jwtOptions(algorithm));
  }
}
