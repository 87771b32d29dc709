package dev.eventmall.common.kafka;

import java.time.Duration;

/**
 * Bounded exponential backoff for a failing event: attempt {@code n} (1-based) that failed waits
 * {@code min(initial * 2^(n-1), max)} before attempt {@code n + 1}; after {@code maxAttempts} the event is parked.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
  }

  /** Delay after failed attempt {@code attempt} (1-based). */
  public long backoffMillis(int attempt) {
    long delay = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
    return Math.min(delay, maxBackoff.toMillis());
  }
}
