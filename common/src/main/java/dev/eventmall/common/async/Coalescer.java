package dev.eventmall.common.async;

import io.vertx.core.Future;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs work keyed by a string at most once at a time per key: a request for a key whose work is running is folded into
 * exactly one more run after it (so what changed meanwhile is still seen), however many requests arrive. At most
 * {@code maxKeys} keys run at once; past that a request is refused and the caller leaves the key to its durable sweep.
 * <p>
 * Used where an unauthenticated caller can ask for outbound work (webhooks that make us re-read a payment or a
 * shipment, issue 16 row 11): a flood of the same key costs at most two calls, a flood of distinct keys at most
 * {@code maxKeys} concurrent ones. Thread-safe. Caffeine's async cache coalesces concurrent loads too, but it returns
 * the running load to a late caller instead of running again after it, which would lose a change that happened during
 * the first run; this is the small part we need.
 */
public final class Coalescer {
  /** What became of a request. */
  public enum Outcome { STARTED, FOLDED, REFUSED }

  private final int maxKeys;
  /** Keys running now → "run once more when done". */
  private final ConcurrentHashMap<String, AtomicBoolean> running = new ConcurrentHashMap<>();

  public Coalescer(int maxKeys) {
    this.maxKeys = Math.max(1, maxKeys);
  }

  /** Requests a run of {@code work} for {@code key}. */
  public Outcome request(String key, Supplier<Future<?>> work) {
    Outcome[] outcome = {Outcome.REFUSED};
    running.compute(key, (k, again) -> {
      if (again != null) {
        again.set(true);
        outcome[0] = Outcome.FOLDED;
        return again;
      }
      if (running.size() >= maxKeys) {
        return null;
      }
      outcome[0] = Outcome.STARTED;
      return new AtomicBoolean(false);
    });
    if (outcome[0] == Outcome.STARTED) {
      run(key, work);
    }
    return outcome[0];
  }

  /** Keys running now. */
  public int running() {
    return running.size();
  }

  private void run(String key, Supplier<Future<?>> work) {
    Future<?> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> {
      boolean[] again = {false};
      running.computeIfPresent(key, (k, flag) -> {
        if (flag.getAndSet(false)) {
          again[0] = true;
          return flag;
        }
        return null;
      });
      if (again[0]) {
        run(key, work);
      }
    });
  }
}
