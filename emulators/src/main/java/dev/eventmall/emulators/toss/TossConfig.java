package dev.eventmall.emulators.toss;

import dev.eventmall.emulators.sandbox.Faults;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Settings of the {@link TossEmulator}; fluent setters, defaults fit tests and devstack. */
public final class TossConfig {

  private String host = "127.0.0.1";
  private int port = 0;
  private Set<String> secretKeys = Set.of("test_sk_devstack");
  private boolean strictKeys = false;
  private String mId = "tvivarepublica";
  private Duration sessionTtl = Duration.ofMinutes(10);
  private Clock clock = Clock.systemUTC();
  private String webhookUrl;
  private List<Duration> webhookRetryDelays = List.of(1, 4, 16, 64, 256, 1024, 4096).stream()
      .map(Duration::ofSeconds).toList();
  private Duration webhookTimeout = Duration.ofSeconds(10);
  private Faults faults = Faults.none();

  public static TossConfig defaults() {
    return new TossConfig();
  }

  public String host() { return host; }
  public int port() { return port; }
  public Set<String> secretKeys() { return secretKeys; }
  public boolean strictKeys() { return strictKeys; }
  public String mId() { return mId; }
  public Duration sessionTtl() { return sessionTtl; }
  public Clock clock() { return clock; }
  public String webhookUrl() { return webhookUrl; }
  public List<Duration> webhookRetryDelays() { return webhookRetryDelays; }
  public Duration webhookTimeout() { return webhookTimeout; }
  public Faults faults() { return faults; }

  public TossConfig host(String v) { host = v; return this; }
  /** Port to listen on, 0 for any free port (read it back with {@link TossEmulator#actualPort()}). */
  public TossConfig port(int v) { port = v; return this; }
  /** Secret keys accepted; unless {@link #strictKeys(boolean) strict}, any key starting with {@code test_sk_} is too. */
  public TossConfig secretKeys(Set<String> v) { secretKeys = Set.copyOf(v); return this; }
  public TossConfig strictKeys(boolean v) { strictKeys = v; return this; }
  public TossConfig mId(String v) { mId = v; return this; }
  /** How long a checkout session waits for confirm (10 minutes, as Toss). */
  public TossConfig sessionTtl(Duration v) { sessionTtl = v; return this; }
  /** Base clock; the emulator adds its own offset ({@link TossEmulator#advanceClock}). */
  public TossConfig clock(Clock v) { clock = v; return this; }
  public TossConfig webhookUrl(String v) { webhookUrl = v; return this; }
  /** Delays between webhook retries (Toss: 1, 4, 16, 64, 256, 1024, 4096 minutes; default here: the same in seconds). */
  public TossConfig webhookRetryDelays(List<Duration> v) { webhookRetryDelays = List.copyOf(v); return this; }
  public TossConfig webhookTimeout(Duration v) { webhookTimeout = v; return this; }
  public TossConfig faults(Faults v) { faults = v; return this; }
}
