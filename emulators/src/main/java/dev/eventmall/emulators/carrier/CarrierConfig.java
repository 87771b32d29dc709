package dev.eventmall.emulators.carrier;

import dev.eventmall.emulators.sandbox.Faults;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Settings of the {@link CarrierEmulator}; fluent setters, defaults fit tests and devstack. */
public final class CarrierConfig {

  private String host = "127.0.0.1";
  private int port = 0;
  private Set<String> apiKeys = Set.of("test_carrier_devstack");
  private boolean strictKeys = false;
  private Duration stepInterval = Duration.ofSeconds(30);
  private String webhookUrl;
  private List<Duration> webhookRetryDelays = List.of(1, 5, 30, 120).stream().map(Duration::ofSeconds).toList();
  private Duration webhookTimeout = Duration.ofSeconds(10);
  private Faults faults = Faults.none();

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
}
