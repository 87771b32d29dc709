package dev.eventmall.delivery.domain;

import java.time.Duration;

/**
 * Bounded exponential backoff of carrier calls whose outcome is unknown: after failed attempt {@code n} (1-based) the
 * next one waits {@code min(initial * 2^(n-1), max)}; after {@link #maxAttempts()} the shipment is declared failed.
 */
public record Backoff(int maxAttempts, Duration initial, Duration max) {
  public Backoff {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
  }

  public boolean exhausted(int attempts) {
    return attempts >= maxAttempts;
  }

  public Duration after(int attempt) {
    long ms = initial.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
