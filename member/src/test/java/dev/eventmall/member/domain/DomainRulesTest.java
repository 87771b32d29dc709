package dev.eventmall.member.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Pure rules: throttling window, password hashing, refresh-token shape and hashing, ids. */
class DomainRulesTest {

  @Test
  void throttleOpensAfterTheWindowThatBeganWithTheFirstFailure() {
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15));
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(throttle.retryAfterSeconds(null, start)).isZero();
    assertThat(throttle.retryAfterSeconds(new LoginThrottle.Failures(4, start), start.plusSeconds(1))).isZero();
    assertThat(throttle.retryAfterSeconds(new LoginThrottle.Failures(5, start), start.plusSeconds(60)))
      .isEqualTo(15 * 60 - 60 + 1);
    assertThat(throttle.retryAfterSeconds(new LoginThrottle.Failures(9, start), start.plus(Duration.ofMinutes(15))))
      .isZero();
  }

  @Test
  void passwordsAreArgon2idSaltedAndVerified() {
    String hash = Passwords.hash("s3cret-password");
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("s3cret");
    assertThat(Passwords.hash("s3cret-password")).as("random salt").isNotEqualTo(hash);
    assertThat(Passwords.verify("s3cret-password", hash)).isTrue();
    assertThat(Passwords.verify("s3cret-passwore", hash)).isFalse();
    assertThat(Passwords.verify("s3cret-password", null)).as("unknown account").isFalse();
    assertThat(Passwords.verify("s3cret-password", "not a hash")).isFalse();
  }

  @Test
  void refreshTokensAre256RandomBitsStoredAsSha256() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String token = RefreshTokens.generate();
      assertThat(RefreshTokens.wellFormed(token)).isTrue();
      assertThat(seen.add(token)).isTrue();
    }
    String token = seen.iterator().next();
    assertThat(RefreshTokens.hash(token)).hasSize(64).matches("[0-9a-f]{64}").isEqualTo(RefreshTokens.hash(token));
    assertThat(RefreshTokens.wellFormed("short")).isFalse();
    assertThat(RefreshTokens.wellFormed(token.substring(1) + "=")).isFalse();
    assertThat(RefreshTokens.wellFormed(null)).isFalse();
  }

  @Test
  void idsAreCanonicalUuids() {
    assertThat(Ids.valid(Ids.newId())).isTrue();
    assertThat(Ids.valid("not-a-uuid")).isFalse();
    assertThat(Ids.valid("123E4567-E89B-12D3-A456-426614174000")).isFalse();
    assertThat(Role.ADMIN.selfService()).isFalse();
    assertThat(Role.SELLER.selfService()).isTrue();
  }
}
