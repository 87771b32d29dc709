package dev.eventmall.member.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Pure rules: throttling window, password hashing, refresh-token shape and hashing, ids. */
class DomainRulesTest {

  @Test
  void throttleOpensAfterTheWindowThatBeganWithTheFirstFailure() {
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15), Duration.ofSeconds(30), 100);
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(throttle.retryAfterSeconds(List.of(), "a", start)).isZero();
    assertThat(throttle.retryAfterSeconds(List.of(new LoginThrottle.Failures("a", 4, start, start)), "a",
      start.plusSeconds(1))).isZero();
    assertThat(throttle.retryAfterSeconds(List.of(new LoginThrottle.Failures("a", 9, start, start)), "a",
      start.plus(Duration.ofMinutes(15)))).isZero();
  }

  /**
   * Issue 16 row 8 as a table: failures per client (count, seconds since the window began, seconds since the last
   * failure) for client "a" and for other clients → seconds "a" waits. First delay 30 s doubling, window 15 min, 100
   * failures per account over all clients.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "[{index}] a={0}/{1}/{2} others={3}x{4} → {5}")
  @org.junit.jupiter.params.provider.CsvSource({
    // a's count, a's window age s, a's last failure age s, other clients, failures each, expected wait s
    "0, 0,   0,  0,  0,  0",
    "4, 10,  0,  0,  0,  0",
    "5, 10,  0,  0,  0,  31",
    "5, 100, 29, 0,  0,  2",
    "5, 100, 30, 0,  0,  0",
    "6, 100, 0,  0,  0,  61",
    "8, 100, 0,  0,  0,  241",
    "12, 100, 0, 0,  0,  901",
    "5, 900, 0,  0,  0,  0",
    "0, 0,   0,  30, 5,  841",
    "0, 0,   0,  10, 9,  0",
    "3, 60,  0,  20, 5,  841",
    "3, 60,  0,  19, 5,  0",
  })
  void throttleSlowsTheFailingClientAndOthersOnlyPastTheAccountLimit(int count, long windowAge, long lastAge,
                                                                      int others, int each, long expected) {
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15), Duration.ofSeconds(30), 100);
    Instant now = Instant.parse("2026-01-01T01:00:00Z");
    List<LoginThrottle.Failures> rows = new java.util.ArrayList<>();
    if (count > 0) {
      rows.add(new LoginThrottle.Failures("a", count, now.minusSeconds(windowAge), now.minusSeconds(lastAge)));
    }
    for (int i = 0; i < others; i++) {
      rows.add(new LoginThrottle.Failures("other-" + i, each, now.minusSeconds(60), now.minusSeconds(60)));
    }
    assertThat(throttle.retryAfterSeconds(rows, "a", now)).isEqualTo(expected);
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
