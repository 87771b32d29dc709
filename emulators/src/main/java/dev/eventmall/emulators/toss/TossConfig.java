package dev.eventmall.emulators.toss;

import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.sandbox.Limits;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the {@link TossEmulator}; fluent setters, defaults fit tests and devstack.
 *
 * <h2>Limits</h2>
 * The emulator keeps what it made in memory, each store up to a limit, the oldest entry dropped first beyond it (so a
 * long run under load holds a bounded heap):
 * <ul>
 *   <li>{@link #maxPayments(int)} ({@code TOSS_MAX_PAYMENTS}, default {@value #DEFAULT_MAX_PAYMENTS}): payments
 *       (checkout sessions included). A dropped payment is unknown, as one Toss never made: lookups and cancel answer 404
 *       {@code NOT_FOUND_PAYMENT}, confirm 404 {@code NOT_FOUND_PAYMENT_SESSION}, and its orderId may be charged again.</li>
 *   <li>{@link #maxLedgerEntries(int)} ({@code TOSS_MAX_LEDGER_ENTRIES}, default {@value #DEFAULT_MAX_LEDGER_ENTRIES}):
 *       the ledger ({@link TossEmulator#ledger()}, {@link TossEmulator#charges(String)}, {@code GET /sandbox/ledger}) that
 *       tests read to check one charge per paid order; a charge, decline or cancel each add one entry.</li>
 *   <li>{@link #maxIdempotencyKeys(int)} ({@code TOSS_MAX_IDEMPOTENCY_KEYS}, default
 *       {@value #DEFAULT_MAX_IDEMPOTENCY_KEYS}): stored answers of Idempotency-Keys. Besides, a key is dropped 15 days
 *       (emulator time) after its answer, without waiting for a repeat. A repeat of a dropped key runs as a new request
 *       (a billing charge then answers {@code DUPLICATED_ORDER_ID} while its payment is kept).</li>
 *   <li>{@link #maxWebhookDeliveries(int)} ({@code TOSS_MAX_WEBHOOK_DELIVERIES}, default
 *       {@value #DEFAULT_MAX_WEBHOOK_DELIVERIES}): the log of webhook deliveries ({@code GET /sandbox/webhooks}); a
 *       dropped delivery still retries, only its record is gone.</li>
 * </ul>
 * The environment names are read by {@link #limits(Map)} (the runnable jar and devstack call it). Billing keys and auth
 * keys are not limited (one per card registration, not per payment).
 */
public final class TossConfig {

  public static final int DEFAULT_MAX_PAYMENTS = 200_000;
  public static final int DEFAULT_MAX_LEDGER_ENTRIES = 400_000;
  public static final int DEFAULT_MAX_IDEMPOTENCY_KEYS = 50_000;
  public static final int DEFAULT_MAX_WEBHOOK_DELIVERIES = 10_000;

  /** Devstack's second merchant, the MID of automatic (billing) payments, and its keys. */
  public static final String BILLING_MID = "tvivarepublica2";
  public static final String BILLING_SECRET_KEY = "test_sk_devstack_billing";
  public static final String BILLING_CLIENT_KEY = "test_ck_devstack_billing";
  /** The default merchant's client key in devstack. */
  public static final String CLIENT_KEY = "test_ck_devstack";

  private String host = "127.0.0.1";
  private int port = 0;
  private Set<String> secretKeys = Set.of("test_sk_devstack");
  private boolean strictKeys = false;
  private String mId = "tvivarepublica";
  /** Merchants besides the default one: secret key → MID and client key → MID (Toss issues keys per MID). */
  private final Map<String, String> mIdBySecretKey = new HashMap<>(Map.of(BILLING_SECRET_KEY, BILLING_MID));
  private final Map<String, String> mIdByClientKey = new HashMap<>(Map.of(BILLING_CLIENT_KEY, BILLING_MID));
  private Duration sessionTtl = Duration.ofMinutes(10);
  private Clock clock = Clock.systemUTC();
  private String webhookUrl;
  private List<Duration> webhookRetryDelays = List.of(1, 4, 16, 64, 256, 1024, 4096).stream()
      .map(Duration::ofSeconds).toList();
  private Duration webhookTimeout = Duration.ofSeconds(10);
  private Faults faults = Faults.none();
  private java.nio.file.Path stateFile;
  private int maxPayments = DEFAULT_MAX_PAYMENTS;
  private int maxLedgerEntries = DEFAULT_MAX_LEDGER_ENTRIES;
  private int maxIdempotencyKeys = DEFAULT_MAX_IDEMPOTENCY_KEYS;
  private int maxWebhookDeliveries = DEFAULT_MAX_WEBHOOK_DELIVERIES;

  public static TossConfig defaults() {
    return new TossConfig();
  }

  public String host() { return host; }
  public int port() { return port; }
  public Set<String> secretKeys() { return secretKeys; }
  public boolean strictKeys() { return strictKeys; }
  public String mId() { return mId; }

  /** The MID a secret key belongs to: a merchant added with {@link #merchant}, else the default {@link #mId()}. */
  public String mIdOfSecretKey(String secretKey) {
    return mIdBySecretKey.getOrDefault(secretKey, mId);
  }

  /** The MID a client key (the browser SDK's) belongs to, else the default {@link #mId()}. */
  public String mIdOfClientKey(String clientKey) {
    return clientKey == null ? mId : mIdByClientKey.getOrDefault(clientKey, mId);
  }

  /** Whether {@code secretKey} was named by {@link #merchant} (accepted even when {@link #strictKeys} is on). */
  boolean merchantKey(String secretKey) {
    return mIdBySecretKey.containsKey(secretKey);
  }
  public Duration sessionTtl() { return sessionTtl; }
  public Clock clock() { return clock; }
  public String webhookUrl() { return webhookUrl; }
  public List<Duration> webhookRetryDelays() { return webhookRetryDelays; }
  public Duration webhookTimeout() { return webhookTimeout; }
  public Faults faults() { return faults; }
  public java.nio.file.Path stateFile() { return stateFile; }
  public int maxPayments() { return maxPayments; }
  public int maxLedgerEntries() { return maxLedgerEntries; }
  public int maxIdempotencyKeys() { return maxIdempotencyKeys; }
  public int maxWebhookDeliveries() { return maxWebhookDeliveries; }

  public TossConfig host(String v) { host = v; return this; }
  /** Port to listen on, 0 for any free port (read it back with {@link TossEmulator#actualPort()}). */
  public TossConfig port(int v) { port = v; return this; }
  /** Secret keys accepted; unless {@link #strictKeys(boolean) strict}, any key starting with {@code test_sk_} is too. */
  public TossConfig secretKeys(Set<String> v) { secretKeys = Set.copyOf(v); return this; }
  public TossConfig strictKeys(boolean v) { strictKeys = v; return this; }
  public TossConfig mId(String v) { mId = v; return this; }
  /**
   * Adds a merchant (MID) with its own keys: payments and billing keys made under one MID are invisible under another
   * (a lookup answers NOT_FOUND_PAYMENT), as at Toss. Devstack's billing MID ({@link #BILLING_MID}) is there by default.
   */
  public TossConfig merchant(String mId, String clientKey, String secretKey) {
    if (secretKey != null) {
      mIdBySecretKey.put(secretKey, mId);
    }
    if (clientKey != null) {
      mIdByClientKey.put(clientKey, mId);
    }
    return this;
  }
  /** How long a checkout session waits for confirm (10 minutes, as Toss). */
  public TossConfig sessionTtl(Duration v) { sessionTtl = v; return this; }
  /** Base clock; the emulator adds its own offset ({@link TossEmulator#advanceClock}). */
  public TossConfig clock(Clock v) { clock = v; return this; }
  public TossConfig webhookUrl(String v) { webhookUrl = v; return this; }
  /** Delays between webhook retries (Toss: 1, 4, 16, 64, 256, 1024, 4096 minutes; default here: the same in seconds). */
  public TossConfig webhookRetryDelays(List<Duration> v) { webhookRetryDelays = List.copyOf(v); return this; }
  public TossConfig webhookTimeout(Duration v) { webhookTimeout = v; return this; }
  public TossConfig faults(Faults v) { faults = v; return this; }
  /**
   * Where the sandbox keeps its state (payments, billing keys, auth keys, ledger, clock) across restarts, so it stays
   * consistent with the services' databases (devstack: {@code .devstack/emulators/toss.json}); null (the default): in
   * memory only. Written within ~250 ms of a change and on stop; the Idempotency-Key store is not kept.
   */
  public TossConfig stateFile(java.nio.file.Path v) { stateFile = v; return this; }
  /** At most this many payments are kept, the oldest dropped first (see Limits above). */
  public TossConfig maxPayments(int v) { maxPayments = Limits.atLeastOne("maxPayments", v); return this; }
  /** At most this many ledger entries are kept, the oldest dropped first. */
  public TossConfig maxLedgerEntries(int v) { maxLedgerEntries = Limits.atLeastOne("maxLedgerEntries", v); return this; }
  /** At most this many Idempotency-Keys are held, the oldest dropped first. */
  public TossConfig maxIdempotencyKeys(int v) { maxIdempotencyKeys = Limits.atLeastOne("maxIdempotencyKeys", v); return this; }
  /** At most this many webhook deliveries are logged, the oldest dropped first. */
  public TossConfig maxWebhookDeliveries(int v) {
    maxWebhookDeliveries = Limits.atLeastOne("maxWebhookDeliveries", v);
    return this;
  }

  /**
   * The limits {@code env} names: {@code TOSS_MAX_PAYMENTS}, {@code TOSS_MAX_LEDGER_ENTRIES},
   * {@code TOSS_MAX_IDEMPOTENCY_KEYS}, {@code TOSS_MAX_WEBHOOK_DELIVERIES}; an absent one keeps its value.
   */
  public TossConfig limits(Map<String, String> env) {
    Limits.read(env, "TOSS_MAX_PAYMENTS", this::maxPayments);
    Limits.read(env, "TOSS_MAX_LEDGER_ENTRIES", this::maxLedgerEntries);
    Limits.read(env, "TOSS_MAX_IDEMPOTENCY_KEYS", this::maxIdempotencyKeys);
    Limits.read(env, "TOSS_MAX_WEBHOOK_DELIVERIES", this::maxWebhookDeliveries);
    return this;
  }
}
