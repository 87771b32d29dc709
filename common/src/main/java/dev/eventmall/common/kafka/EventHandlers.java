package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * The domain side of the bridge: a domain verticle registers the handler for the events one consumer group reads from
 * one topic. The handler's future decides: success acknowledges the record (the bridge may commit past it), failure
 * makes the bridge retry it with backoff and finally park it on the dead-letter topic, except when the failure is a store
 * that cannot be reached ({@link StoreUnavailable}): then the bridge waits for the store without counting attempts.
 * Handlers ignore event types they do not care about by returning a succeeded future.
 */
public final class EventHandlers {
  /** Failure code of a handler that could not reach one of its stores ({@link StoreUnavailable}); otherwise 500. */
  public static final int STORE_UNAVAILABLE = 503;
  private static final Logger LOG = LoggerFactory.getLogger(EventHandlers.class);

  private EventHandlers() {
  }

  /** The event-bus address the bridge of {@code group} sends the records of {@code topic} to. */
  public static String address(String group, String topic) {
    return "eventmall.events." + group + "." + topic;
  }

  public static MessageConsumer<JsonObject> register(Vertx vertx, String group, String topic,
                                                     Function<EventEnvelope, Future<?>> handler) {
    return vertx.eventBus().<JsonObject>localConsumer(address(group, topic), msg -> {
      // each event runs on a context of its own whose current trace is the event's (TraceContext)
      ((ContextInternal) vertx.getOrCreateContext()).duplicate().runOnContext(v -> handle(group, topic, handler, msg));
    });
  }

  private static void handle(String group, String topic, Function<EventEnvelope, Future<?>> handler,
                             Message<JsonObject> msg) {
    Future<?> result;
    try {
      EventEnvelope event = EventEnvelope.fromJson(msg.body());
      TraceContext.setCurrent(TraceContext.valid(event.traceparent()) ? event.traceparent() : null);
      result = handler.apply(event);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(null);
      } else {
        LOG.debug("handler of {} failed: {}", address(group, topic), ar.cause().toString());
        msg.fail(StoreUnavailable.is(ar.cause()) ? STORE_UNAVAILABLE : 500, String.valueOf(ar.cause()));
      }
    });
  }
}
