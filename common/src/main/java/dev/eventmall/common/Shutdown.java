package dev.eventmall.common;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.Draining;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A service's graceful stop (SIGTERM in {@link ServiceMain}, devstack's stop), in this order, each step bounded:
 * <ol>
 *   <li>{@code /health/ready} answers 503 while every route keeps serving for {@code SHUTDOWN_READINESS_DELAY_MS}
 *       (default 2000): long enough for a balancer polling readiness to stop sending requests here;</li>
 *   <li>the HTTP servers stop accepting connections and the requests in flight finish, within
 *       {@code SHUTDOWN_HTTP_DRAIN_MS} (default 5000; then their connections are closed);</li>
 *   <li>the service's verticles are undeployed in reverse start order ({@link ServiceMain.Started#undeploy}): the
 *       Kafka bridges close their consumers (they leave their groups, so partitions move at once), the domain handlers
 *       and their pools, then the outbox relay (it releases its lock and closes its producer), within
 *       {@code SHUTDOWN_CLOSE_MS} (default 8000);</li>
 *   <li>the Vert.x instance closes (what is left: shared pools, metrics, span export).</li>
 * </ol>
 * With the defaults a stop takes about 2 s (the readiness delay, then well under a second), at most 23 s (2 + 5 + 8, and 8
 * more for Vert.x's own close, {@link Options#total()}); compose gives a container {@code stop_grace_period: 25s}.
 */
public final class Shutdown {
  public static final String READINESS_DELAY_MS = "SHUTDOWN_READINESS_DELAY_MS";
  public static final String HTTP_DRAIN_MS = "SHUTDOWN_HTTP_DRAIN_MS";
  public static final String CLOSE_MS = "SHUTDOWN_CLOSE_MS";

  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  /** The bounds of the steps. */
  public record Options(Duration readinessDelay, Duration httpDrain, Duration close) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(8));
    }

    /** From the {@code SHUTDOWN_*} settings, defaults where unset. */
    public static Options from(Config config) {
      Options d = defaults();
      return new Options(
        Duration.ofMillis(Math.max(0, config.getLong(READINESS_DELAY_MS, d.readinessDelay().toMillis()))),
        Duration.ofMillis(Math.max(0, config.getLong(HTTP_DRAIN_MS, d.httpDrain().toMillis()))),
        Duration.ofMillis(Math.max(1, config.getLong(CLOSE_MS, d.close().toMillis()))));
    }

    public Options readinessDelay(Duration delay) {
      return new Options(delay, httpDrain, close);
    }

    /** What the whole stop may take, Vert.x's own close included (given {@code close} once more). */
    public Duration total() {
      return readinessDelay.plus(httpDrain).plus(close).plus(close);
    }
  }

  private Shutdown() {
  }

  /**
   * Stops {@code started} on {@code vertx} and closes {@code vertx}; completes when all is down (exceptionally only when
   * Vert.x failed to close). Bound the wait with {@link Options#total()}.
   */
  public static CompletableFuture<Void> run(String service, Vertx vertx, ServiceMain.Started started, Options options) {
    long began = System.nanoTime();
    Draining draining = Draining.of(vertx);
    draining.begin();
    LOG.info("{}: stopping: readiness is DOWN, serving {} ms more, then draining HTTP", service,
      options.readinessDelay().toMillis());
    Future<Void> delay = options.readinessDelay().isZero() ? Future.succeededFuture()
      : vertx.timer(options.readinessDelay().toMillis(), TimeUnit.MILLISECONDS).mapEmpty();
    CompletableFuture<Void> done = new CompletableFuture<>();
    delay
      .compose(v -> draining.shutdownServers(options.httpDrain())
        // Vert.x closes what is left at the grace's end: the extra second is for that close itself
        .timeout(options.httpDrain().toMillis() + 1000, TimeUnit.MILLISECONDS))
      .onSuccess(v -> LOG.info("{}: HTTP drained after {} ms", service, millisSince(began)))
      .transform(ar -> step(service, "draining HTTP", ar.cause())
        .compose(v -> started == null ? Future.succeededFuture()
          : started.undeploy(vertx).timeout(options.close().toMillis(), TimeUnit.MILLISECONDS)))
      .onComplete(ar -> {
        step(service, "stopping consumers and relays", ar.cause());
        // Vert.x's close future has no context: its callbacks run on the thread that completes it, not on an event
        // loop of the instance being closed (nothing may be chained to those once they are gone)
        vertx.close().onComplete(closed -> {
          if (closed.failed()) {
            LOG.warn("{}: closing Vert.x: {}", service, closed.cause().toString());
            done.completeExceptionally(closed.cause());
          } else {
            LOG.info("{}: stopped in {} ms", service, millisSince(began));
            done.complete(null);
          }
        });
      });
    return done;
  }

  private static Future<Void> step(String service, String what, Throwable failure) {
    if (failure != null) {
      LOG.warn("{}: {} did not finish in time ({}); going on", service, what, failure.toString());
    }
    return Future.succeededFuture();
  }

  private static long millisSince(long began) {
    return (System.nanoTime() - began) / 1_000_000;
  }
}
