package dev.eventmall.emulators.sandbox;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds the current {@link Faults} (settable from any thread) and decides, per request, which fault applies.
 * A {@code count} of n makes the faults apply to the next n matching requests only.
 */
public final class FaultInjector {

  /** What happens to one request. */
  public record Decision(Faults faults, boolean error) {
    static final Decision NONE = new Decision(Faults.none(), false);

    public boolean none() {
      return this == NONE;
    }
  }

  private volatile Faults faults;
  private volatile AtomicInteger remaining;

  public FaultInjector(Faults initial) {
    set(initial);
  }

  public synchronized void set(Faults f) {
    this.faults = f == null ? Faults.none() : f;
    this.remaining = new AtomicInteger(this.faults.count());
  }

  public Faults get() {
    return faults;
  }

  /** The fault decision for a request on {@code path}. */
  public Decision decide(String path) {
    Faults f = faults;
    if (!f.active() || !f.applies(path)) {
      return Decision.NONE;
    }
    AtomicInteger left = remaining;
    if (f.count() >= 0 && left.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
      return Decision.NONE;
    }
    boolean error = f.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < f.errorRate();
    return new Decision(f, error);
  }
}
