package dev.eventmall.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
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
  /** Keys running now → "run once more when done" and the end of their runs. */
  private final ConcurrentHashMap<String, Runs> running = new ConcurrentHashMap<>();

  /** The runs of a key that is running: {@code again} asks for one more; {@code ended} completes after the last. */
  private record Runs(AtomicBoolean again, Promise<Void> ended) {
  }

  public Coalescer(int maxKeys) {
    this.maxKeys = Math.max(1, maxKeys);
  }

  /** Requests a run of {@code work} for {@code key}. */
  public Outcome request(String key, Supplier<Future<?>> work) {
    Outcome[] outcome = {Outcome.REFUSED};
    running.compute(key, (k, runs) -> {
      if (runs != null) {
        runs.again().set(true);
        outcome[0] = Outcome.FOLDED;
        return runs;
      }
      if (running.size() >= maxKeys) {
        return null;
      }
      outcome[0] = Outcome.STARTED;
      return new Runs(new AtomicBoolean(false), Promise.promise());
    });
    if (outcome[0] == Outcome.STARTED) {
      run(key, work);
    }
    return outcome[0];
  }

  /**
   * Completes once every key running now has no run going nor owed ({@link #ended} of each); at once when none runs.
   * Requests made after this call are not waited for: the owner stops taking them first (a service's HTTP verticles
   * stop before the verticle whose stop waits here).
   */
  public Future<Void> allEnded() {
    List<Future<Void>> endings = running.keySet().stream().map(this::ended).toList();
    return endings.isEmpty() ? Future.succeededFuture() : Future.join(endings).mapEmpty();
  }

  /** Keys running now. */
  public int running() {
    return running.size();
  }

  /**
   * Completes once {@code key} has no run going nor owed (the run a request folded into, and the one after it it
   * asked for, included), whatever their outcome; at once when it has none (never started, refused, done). Lets the
   * owner of the requests wait for the work they started before closing what it uses.
   */
  public Future<Void> ended(String key) {
    Runs runs = running.get(key);
    return runs == null ? Future.succeededFuture() : runs.ended().future();
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
      Runs[] last = {null};
      running.computeIfPresent(key, (k, runs) -> {
        if (runs.again().getAndSet(false)) {
          again[0] = true;
          return runs;
        }
        last[0] = runs;
        return null;
      });
      if (again[0]) {
        run(key, work);
      } else if (last[0] != null) {
        last[0].ended().complete();
      }
    });
  }
}
