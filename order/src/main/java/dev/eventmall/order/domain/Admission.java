package dev.eventmall.order.domain;

/**
 * Admission of new orders when the saga is behind (pure): the platform admits an order only while the orders still
 * moving through the saga (placed in the last minute and not yet past PAID) plus those admitted since that was last
 * counted stay under a budget. Beyond it a POST is refused at once with a hint of when to come back, so the orders
 * admitted keep their latency instead of queueing behind ones the platform cannot serve in time.
 *
 * @param budget orders allowed in the saga at once; 0 admits everything
 */
public record Admission(int budget) {
  /** The shortest and longest wait a refusal asks for. */
  public static final long MIN_RETRY_MS = 100;
  public static final long MAX_RETRY_MS = 5_000;

  /** Admit, or refuse and come back after {@code retryAfterMs}. */
  public record Decision(boolean admitted, long retryAfterMs) {
  }

  /**
   * @param inSaga   orders in the saga when last counted
   * @param admitted orders admitted since
   */
  public Decision decide(long inSaga, long admitted) {
    long load = inSaga + admitted;
    if (budget <= 0 || load < budget) {
      return new Decision(true, 0);
    }
    // the further beyond the budget, the longer the wait: one budget's worth of excess asks for one second
    long excess = load - budget + 1;
    long wait = MIN_RETRY_MS + excess * 1_000 / budget;
    return new Decision(false, Math.min(MAX_RETRY_MS, wait));
  }
}
