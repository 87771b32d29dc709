package dev.eventmall.delivery;

import dev.eventmall.common.config.Config;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.Backoff;

import java.time.Duration;

/**
 * Delivery's own environment variables (besides the common ones: {@code CARRIER_BASE_URL}, {@code MYSQL_URI},
 * {@code KAFKA_BOOTSTRAP_SERVERS}, {@code JWT_SECRET}, {@code HTTP_PORT}, ...).
 */
public record DeliverySettings(CarrierClient.Options carrier, Backoff backoff, Duration dispatchInterval,
                               Duration pollInterval) {
  /** Bearer key for the carrier API; default = the carrier emulator's default key. */
  public static final String CARRIER_API_KEY = "CARRIER_API_KEY";
  public static final String DEFAULT_CARRIER_API_KEY = "test_carrier_devstack";
  /** Timeout of one carrier call (ms), default 3000. */
  public static final String CARRIER_TIMEOUT_MS = "DELIVERY_CARRIER_TIMEOUT_MS";
  /** Carrier create attempts with outcome unknown before DeliveryFailed, default 6. */
  public static final String CARRIER_MAX_ATTEMPTS = "DELIVERY_CARRIER_MAX_ATTEMPTS";
  /** First retry delay (ms), doubled each attempt, default 1000. */
  public static final String CARRIER_RETRY_INITIAL_MS = "DELIVERY_CARRIER_RETRY_INITIAL_MS";
  /** Largest retry delay (ms), default 30000. */
  public static final String CARRIER_RETRY_MAX_MS = "DELIVERY_CARRIER_RETRY_MAX_MS";
  /** Consecutive outcome-unknown failures that open the breaker, default 5. */
  public static final String BREAKER_MAX_FAILURES = "DELIVERY_BREAKER_MAX_FAILURES";
  /** How long the breaker stays open before a trial call (ms), default 10000. */
  public static final String BREAKER_RESET_MS = "DELIVERY_BREAKER_RESET_MS";
  /** How often due PENDING shipments are (re)sent to the carrier (ms), default 1000. */
  public static final String DISPATCH_INTERVAL_MS = "DELIVERY_DISPATCH_INTERVAL_MS";
  /** How often shipments not yet terminal are polled at the carrier (ms), default 30000. */
  public static final String POLL_INTERVAL_MS = "DELIVERY_POLL_INTERVAL_MS";

  public static DeliverySettings of(Config config) {
    return new DeliverySettings(
      new CarrierClient.Options(config.carrierBaseUrl(), config.get(CARRIER_API_KEY, DEFAULT_CARRIER_API_KEY),
        positive(config, CARRIER_TIMEOUT_MS, 3_000), (int) positive(config, BREAKER_MAX_FAILURES, 5).toMillis(),
        positive(config, BREAKER_RESET_MS, 10_000)),
      new Backoff((int) positive(config, CARRIER_MAX_ATTEMPTS, 6).toMillis(), positive(config, CARRIER_RETRY_INITIAL_MS, 1_000),
        positive(config, CARRIER_RETRY_MAX_MS, 30_000)),
      positive(config, DISPATCH_INTERVAL_MS, 1_000),
      positive(config, POLL_INTERVAL_MS, 30_000));
  }

  private static Duration positive(Config config, String key, long defaultValue) {
    long v = config.getLong(key, defaultValue);
    if (v <= 0) {
      throw new Config.ConfigException(key + " must be positive, got " + v);
    }
    return Duration.ofMillis(v);
  }
}
