package dev.eventmall.common.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Hands one event to its domain handler over the event bus, retrying a failure with the policy's backoff. Used by the
 * bridge for every record and by the dead-letter admin for a replay.
 */
final class EventDelivery {
  private final Vertx vertx;
  private final RetryPolicy retry;
  private final Duration handlerTimeout;

  EventDelivery(Vertx vertx, RetryPolicy retry, Duration handlerTimeout) {
    this.vertx = vertx;
    this.retry = retry;
    this.handlerTimeout = handlerTimeout;
  }

  /** Outcome of a delivery: how many attempts it took and, when every attempt failed, the last failure. */
  record Outcome(int attempts, Throwable failure) {
    boolean delivered() {
      return failure == null;
    }
  }

  Future<Outcome> deliver(String address, JsonObject envelope, String source) {
    return attempt(address, envelope, source, 1);
  }

  private Future<Outcome> attempt(String address, JsonObject envelope, String source, int attempt) {
    DeliveryOptions options = new DeliveryOptions()
      .setSendTimeout(handlerTimeout.toMillis())
      .addHeader("source", source)
      .addHeader("attempt", Integer.toString(attempt));
    return vertx.eventBus().request(address, envelope, options)
      .map(reply -> new Outcome(attempt, null))
      .recover(failure -> attempt >= retry.maxAttempts()
        ? Future.succeededFuture(new Outcome(attempt, failure))
        : vertx.timer(retry.backoffMillis(attempt)).compose(v -> attempt(address, envelope, source, attempt + 1)));
  }
}
