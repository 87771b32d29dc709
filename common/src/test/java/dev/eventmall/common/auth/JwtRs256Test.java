package dev.eventmall.common.auth;

import dev.eventmall.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RS256 from PEM key files: the member service signs with the private key, every other service verifies. */
@ExtendWith(VertxExtension.class)
class JwtRs256Test {

  @Test
  void privateKeySignsAndPublicKeyAloneVerifies(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path pub = dir.resolve("jwt-public.pem");
    Path priv = dir.resolve("jwt-private.pem");
    Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));

    Config member = Config.of(Map.of(Config.JWT_PUBLIC_KEY_FILE, pub.toString(),
      Config.JWT_PRIVATE_KEY_FILE, priv.toString(), Config.JWT_ACCESS_TTL_SECONDS, "120"));
    Config order = Config.of(Map.of(Config.JWT_PUBLIC_KEY_FILE, pub.toString()));

    Jwt.create(vertx, member)
      .map(auth -> TokenIssuer.create(auth, member).issue("member-9", List.of("SELLER")))
      .compose(token -> Jwt.create(vertx, order).compose(verifier -> verifier.authenticate(new TokenCredentials(token))))
      .onComplete(ctx.succeeding(user -> ctx.verify(() -> {
        assertThat(user.principal().getString("sub")).isEqualTo("member-9");
        assertThat(user.principal().getJsonArray("roles")).containsExactly("SELLER");
        assertThat(Jwt.algorithm(order)).isEqualTo(Jwt.RS256);
        ctx.completeNow();
      })));
  }

  @Test
  void missingKeyFileFailsTheFuture(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    Config config = Config.of(Map.of(Config.JWT_PUBLIC_KEY_FILE, dir.resolve("absent.pem").toString()));
    Jwt.create(vertx, config).onComplete(ctx.failingThenComplete());
  }

  @Test
  void shortHs256SecretFailsTheFuture(Vertx vertx, VertxTestContext ctx) {
    Jwt.create(vertx, Config.of(Map.of(Config.JWT_SECRET, "short")))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertThat(err).hasMessageContaining("32");
        ctx.completeNow();
      })));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
