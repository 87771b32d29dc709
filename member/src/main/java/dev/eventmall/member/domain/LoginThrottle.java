package dev.eventmall.member.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Throttling rule for logins of one e-mail address (known or not, so that it reveals nothing): after
 * {@link #maxFailures} failed attempts within {@link #window}, every further attempt is refused until the window that
 * began with the first failure has passed.
 */
public record LoginThrottle(int maxFailures, Duration window) {

  public static final LoginThrottle DEFAULT = new LoginThrottle(5, Duration.ofMinutes(15));

  /** The failures recorded for one e-mail address: how many, since when. */
  public record Failures(int count, Instant windowStartedAt) {
  }

  /** Seconds until attempts are accepted again, or 0 when an attempt may proceed now. */
  public long retryAfterSeconds(Failures failures, Instant now) {
    if (failures == null || failures.count() < maxFailures) {
      return 0;
    }
    Instant reopens = failures.windowStartedAt().plus(window);
    if (!reopens.isAfter(now)) {
      return 0;
    }
    return Math.max(1, Duration.between(now, reopens).toSeconds() + 1);
  }
}
