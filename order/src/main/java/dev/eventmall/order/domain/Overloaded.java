package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

import java.time.Duration;

/** {@link Admission} refused a new order: the saga is behind; come back after {@code retryAfterMs}. */
public final class Overloaded extends DomainException {
  private final long retryAfterMs;

  public Overloaded(long retryAfterMs) {
    super(Kind.UNAVAILABLE, "overloaded", "Overloaded",
      "The platform is taking all the orders it can serve right now; retry in " + retryAfterMs + " ms");
    this.retryAfterMs = retryAfterMs;
  }

  @Override
  public Duration retryAfter() {
    return Duration.ofMillis(retryAfterMs);
  }
}
