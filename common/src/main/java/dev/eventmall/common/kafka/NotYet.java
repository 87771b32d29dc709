package dev.eventmall.common.kafka;

/**
 * A handler's answer that the event came before another one it depends on, which is sure to come (events of one saga
 * travel on different topics, and a consumer that lags on one of them sees a later event first: delivery reads
 * {@code PaymentCompleted} before the {@code OrderPlaced} it follows from). The bridge retries such an event without
 * spending its attempts, for up to {@link #PATIENCE_WAITS} waits (about ten minutes at the retry policy's largest
 * backoff), and only then counts attempts towards the dead-letter topic as for any other failure. Before, a
 * consumer lagging more than the retry window (≈15 s) parked these events and left their orders stuck.
 */
public final class NotYet extends RuntimeException {
  /** Waits not counted as attempts before a {@code NotYet} counts like any other failure. */
  public static final int PATIENCE_WAITS = 120;

  public NotYet(String message) {
    super(message, null, false, false);
  }
}
