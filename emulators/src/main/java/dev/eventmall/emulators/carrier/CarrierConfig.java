package dev.eventmall.emulators.carrier;

import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.sandbox.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the {@link CarrierEmulator}; fluent setters, defaults fit tests and devstack.
 *
 * <h2>Limits</h2>
 * The emulator keeps what it made in memory, each store up to a limit, the oldest entry dropped first beyond it (so a
 * long run under load holds a bounded heap):
 * <ul>
 *   <li>{@link #maxShipments(int)} ({@code CARRIER_MAX_SHIPMENTS}, default {@value #DEFAULT_MAX_SHIPMENTS}): shipments.
 *       A dropped shipment is unknown: tracking, cancel and the sandbox's advance/fail answer 404 {@code NOT_FOUND}, the
 *       order's lookup lists it no more, and its status no longer moves.</li>
 *   <li>{@link #maxIdempotencyKeys(int)} ({@code CARRIER_MAX_IDEMPOTENCY_KEYS}, default
 *       {@value #DEFAULT_MAX_IDEMPOTENCY_KEYS}): stored answers of Idempotency-Keys. Besides, a key is dropped a day after
 *       its answer, without waiting for a repeat. A repeat of a dropped key creates a new shipment.</li>
 *   <li>{@link #maxWebhookDeliveries(int)} ({@code CARRIER_MAX_WEBHOOK_DELIVERIES}, default
 *       {@value #DEFAULT_MAX_WEBHOOK_DELIVERIES}): the log of webhook deliveries ({@code GET /sandbox/webhooks}); a
 *       dropped delivery still retries, only its record is gone.</li>
 * </ul>
 * The environment names are read by {@link #limits(Map)} (the runnable jar and devstack call it).
 */
public final class CarrierConfig {

  public static final int DEFAULT_MAX_SHIPMENTS = 200_000;
  public static final int DEFAULT_MAX_IDEMPOTENCY_KEYS = 50_000;
  public static final int DEFAULT_MAX_WEBHOOK_DELIVERIES = 10_000;

  private String host = "127.0.0.1";
  private int port = 0;
  private Set<String> apiKeys = Set.of("test_carrier_devstack");
  private boolean strictKeys = false;
  private Duration stepInterval = Duration.ofSeconds(30);
  private String webhookUrl;
  private List<Duration> webhookRetryDelays = List.of(1, 5, 30, 120).stream().map(Duration::ofSeconds).toList();
  private Duration webhookTimeout = Duration.ofSeconds(10);
  private Faults faults = Faults.none();
  private int maxShipments = DEFAULT_MAX_SHIPMENTS;
  private int maxIdempotencyKeys = DEFAULT_MAX_IDEMPOTENCY_KEYS;
  private int maxWebhookDeliveries = DEFAULT_MAX_WEBHOOK_DELIVERIES;

  public static CarrierConfig defaults() {
    return new CarrierConfig();
  }

  public String host() { return host; }
  public int port() { return port; }
  public Set<String> apiKeys() { return apiKeys; }
  public boolean strictKeys() { return strictKeys; }
  public Duration stepInterval() { return stepInterval; }
  public String webhookUrl() { return webhookUrl; }
  public List<Duration> webhookRetryDelays() { return webhookRetryDelays; }
  public Duration webhookTimeout() { return webhookTimeout; }
  public Faults faults() { return faults; }
  public int maxShipments() { return maxShipments; }
  public int maxIdempotencyKeys() { return maxIdempotencyKeys; }
  public int maxWebhookDeliveries() { return maxWebhookDeliveries; }

  public CarrierConfig host(String v) { host = v; return this; }
  /** Port to listen on, 0 for any free port (read it back with {@link CarrierEmulator#actualPort()}). */
  public CarrierConfig port(int v) { port = v; return this; }
  /** Bearer keys accepted; unless {@link #strictKeys(boolean) strict}, any key starting with {@code test_} is too. */
  public CarrierConfig apiKeys(Set<String> v) { apiKeys = Set.copyOf(v); return this; }
  public CarrierConfig strictKeys(boolean v) { strictKeys = v; return this; }
  /** Time between status steps (ACCEPTED → IN_TRANSIT → DELIVERED); zero: only manual advance. */
  public CarrierConfig stepInterval(Duration v) { stepInterval = v; return this; }
  public CarrierConfig webhookUrl(String v) { webhookUrl = v; return this; }
  public CarrierConfig webhookRetryDelays(List<Duration> v) { webhookRetryDelays = List.copyOf(v); return this; }
  public CarrierConfig webhookTimeout(Duration v) { webhookTimeout = v; return this; }
  public CarrierConfig faults(Faults v) { faults = v; return this; }
  /** At most this many shipments are kept, the oldest dropped first (see Limits above). */
  public CarrierConfig maxShipments(int v) { maxShipments = Limits.atLeastOne("maxShipments", v); return this; }
  /** At most this many Idempotency-Keys are held, the oldest dropped first. */
  public CarrierConfig maxIdempotencyKeys(int v) {
    maxIdempotencyKeys = Limits.atLeastOne("maxIdempotencyKeys", v);
    return this;
  }
  /** At most this many webhook deliveries are logged, the oldest dropped first. */
  public CarrierConfig maxWebhookDeliveries(int v) {
    maxWebhookDeliveries = Limits.atLeastOne("maxWebhookDeliveries", v);
    return this;
  }

  /**
   * The limits {@code env} names: {@code CARRIER_MAX_SHIPMENTS}, {@code CARRIER_MAX_IDEMPOTENCY_KEYS},
   * {@code CARRIER_MAX_WEBHOOK_DELIVERIES}; an absent one keeps its value.
   */
  public CarrierConfig limits(Map<String, String> env) {
    Limits.read(env, "CARRIER_MAX_SHIPMENTS", this::maxShipments);
    Limits.read(env, "CARRIER_MAX_IDEMPOTENCY_KEYS", this::maxIdempotencyKeys);
    Limits.read(env, "CARRIER_MAX_WEBHOOK_DELIVERIES", this::maxWebhookDeliveries);
    return this;
  }
}
