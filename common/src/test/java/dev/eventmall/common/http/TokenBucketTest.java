package dev.eventmall.common.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket as a table: tokens before, ms since the last attempt, rate, burst → admitted?, tokens after, wait. */
class TokenBucketTest {

  @ParameterizedTest(name = "[{index}] {0} tokens, +{1} ms at {2}/s burst {3} → {4}")
  @CsvSource({
    // tokens, elapsedMs, perSecond, burst, admitted, tokensAfter, retryAfterMs
    "20,    0,   10, 20, true,  19,   0",
    "1,     0,   10, 20, true,  0,    0",
    "0,     0,   10, 20, false, 0,    100",
    "0,     50,  10, 20, false, 0.5,  50",
    "0,     100, 10, 20, true,  0,    0",
    "0,     0,   0.5, 5, false, 0,    2000",
    "19.5,  10000, 10, 20, true, 19,  0",
    "0.25,  0,   1,  1,  false, 0.25, 750",
  })
  void table(double tokens, long elapsedMs, double perSecond, int burst, boolean admitted, double tokensAfter,
             long retryAfterMs) {
    TokenBucket.Taken taken = new TokenBucket(tokens, 0).take(perSecond, burst, elapsedMs * 1_000_000);
    assertThat(taken.admitted()).isEqualTo(admitted);
    assertThat(taken.bucket().tokens()).isCloseTo(tokensAfter, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(taken.retryAfterMs()).isEqualTo(retryAfterMs);
  }
}
