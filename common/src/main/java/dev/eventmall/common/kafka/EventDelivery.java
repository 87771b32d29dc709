package dev.eventmall.common.kafka;

import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Hands one event to its domain handler over the event bus, retrying a failure with the policy's backoff. Used by the
 * bridge for every record and by the dead-letter admin for a replay.
 *
 * <p>With {@code waitForStores}, a failure that says the handler could not reach its store
 * ({@link EventHandlers#STORE_UNAVAILABLE}) does not count as an attempt: the delivery waits (backoff up to the policy's
 * maximum) until the store is back, however long, so a database restart parks nothing. The bridge waits; a replay does
 * not (the operator gets the failure at once).
 */
final class EventDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(EventDelivery.class);

  private final Vertx vertx;
  private final RetryPolicy retry;
  private final Duration handlerTimeout;
  private final boolean waitForStores;

  EventDelivery(Vertx vertx, RetryPolicy retry, Duration handlerTimeout, boolean waitForStores) {
    this.vertx = vertx;
    this.retry = retry;
    this.handlerTimeout = handlerTimeout;
    this.waitForStores = waitForStores;
  }

  /** Outcome of a delivery: how many attempts it took and, when every attempt failed, the last failure. */
  record Outcome(int attempts, Throwable failure) {
    boolean delivered() {
      return failure == null;
    }
  }

  Future<Outcome> deliver(String address, JsonObject envelope, String source) {
    return deliver(address, envelope, source, null);
  }

  /** As {@link #deliver(String, JsonObject, String)}, with the record's {@code traceparent} header for the handler. */
  Future<Outcome> deliver(String address, JsonObject envelope, String source, String traceparent) {
    return attempt(address, envelope, source, traceparent, 1, 0);
  }

  private Future<Outcome> attempt(String address, JsonObject envelope, String source, String traceparent, int attempt,
                                  int waits) {
    DeliveryOptions options = new DeliveryOptions()
      .setSendTimeout(handlerTimeout.toMillis())
      // the handler's CONSUMER span continues the record's trace; the event-bus hop itself is not a span
      .setTracingPolicy(TracingPolicy.IGNORE)
      .addHeader("source", source)
      .addHeader("attempt", Integer.toString(attempt));
    if (traceparent != null) {
      options.addHeader(Tracing.HEADER, traceparent);
    }
    return vertx.eventBus().request(address, envelope, options)
      .map(reply -> new Outcome(attempt, null))
      .recover(failure -> {
        if (waitForStores && storeUnavailable(failure)) {
          if (waits % 10 == 0) {
            LOG.warn("{}: its handler cannot reach a store ({}); waiting for it, attempt {} not counted", source,
              failure.getMessage(), attempt);
          }
          return vertx.timer(retry.backoffMillis(Math.min(waits + 1, 30)))
            .compose(v -> attempt(address, envelope, source, traceparent, attempt, waits + 1));
        }
        if (notYet(failure) && waits < NotYet.PATIENCE_WAITS) {
          if (waits % 20 == 0) {
            LOG.info("{}: not applicable yet ({}); waiting, attempt {} not counted", source, failure.getMessage(),
              attempt);
          }
          return vertx.timer(retry.backoffMillis(Math.min(waits + 1, 30)))
            .compose(v -> attempt(address, envelope, source, traceparent, attempt, waits + 1));
        }
        return attempt >= retry.maxAttempts()
          ? Future.succeededFuture(new Outcome(attempt, failure))
          : vertx.timer(retry.backoffMillis(attempt)).compose(v -> attempt(address, envelope, source, traceparent,
            attempt + 1, waits));
      });
  }

  static boolean notYet(Throwable failure) {
    return handlerFailedWith(failure, EventHandlers.NOT_YET);
  }

  static boolean storeUnavailable(Throwable failure) {
    return handlerFailedWith(failure, EventHandlers.STORE_UNAVAILABLE);
  }

  /** Whether the handler itself failed the event with {@code code} (as {@link EventHandlers} answers). */
  private static boolean handlerFailedWith(Throwable failure, int code) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
      && reply.failureCode() == code;
  }
}
