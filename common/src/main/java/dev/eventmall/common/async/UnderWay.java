package dev.eventmall.common.async;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The periodic work a verticle has under way (a recovery, a repair, an index check), so that its stop can wait for it
 * before the clients that work uses are closed: closing them under it failed the work and logged a warning on every
 * stop that met one. Runs that overlap (a slow one still going when the next starts) are all waited for. Use it from
 * the verticle's own context.
 * <pre>{@code
 * timer = vertx.setPeriodic(interval, id -> underWay.track(repair()));
 * ...
 * public Future<?> stop() {
 *   vertx.cancelTimer(timer);
 *   return underWay.ended(Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class UnderWay {
  /** Everything tracked that may still run (completes when all of it has ended). */
  private Future<?> current = Future.succeededFuture();

  /** Tracks {@code work} beside whatever is still under way; answers {@code work}. */
  public <T> Future<T> track(Future<T> work) {
    current = current.isComplete() ? work : Future.join(current, work);
    return work;
  }

  /** Whether nothing tracked is still under way. */
  public boolean idle() {
    return current.isComplete();
  }

  /**
   * Completes once everything tracked so far has ended, whatever its outcome, or once {@code bound} has passed (work
   * stuck on a store in trouble is not waited for longer); never fails.
   */
  public Future<Void> ended(Duration bound) {
    return current.timeout(bound.toMillis(), TimeUnit.MILLISECONDS).<Void>mapEmpty().otherwiseEmpty();
  }
}
