package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.trace.TraceContext;
import dev.eventmall.common.trace.Tracing;
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
    Tracing tracing = Tracing.of(vertx);
    return vertx.eventBus().<JsonObject>localConsumer(address(group, topic), msg -> {
      // each event runs on a context of its own whose current trace is the event's (TraceContext)
      ((ContextInternal) vertx.getOrCreateContext()).duplicate()
        .runOnContext(v -> handle(tracing, group, topic, handler, msg));
    });
  }

  /**
   * Runs the handler as a span of its own, a child of the event's span (same trace, new span id): the events it causes
   * are children of that span. With {@link Tracing} enabled it is exported as a CONSUMER span {@code <topic> process}.
   */
  private static void handle(Tracing tracing, String group, String topic, Function<EventEnvelope, Future<?>> handler,
                             Message<JsonObject> msg) {
    Future<?> result;
    Tracing.Span span = null;
    try {
      EventEnvelope event = EventEnvelope.fromJson(msg.body());
      String consumer = TraceContext.valid(event.traceparent()) ? TraceContext.child(event.traceparent()) : null;
      TraceContext.setCurrent(consumer);
      if (consumer != null && tracing.enabled()) {
        span = tracing.start(Tracing.Kind.CONSUMER, topic + " process", consumer, TraceContext.spanId(event.traceparent()))
          .set("messaging.system", "kafka")
          .set("messaging.operation.type", "process")
          .set("messaging.destination.name", topic)
          .set("messaging.consumer.group.name", group)
          .set("messaging.message.id", event.id().toString())
          .set("messaging.kafka.message.key", event.key())
          .set("eventmall.event.type", event.type())
          .set("eventmall.attempt", msg.headers().get("attempt"));
      }
      result = handler.apply(event);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    Tracing.Span consumed = span;
    result.onComplete(ar -> {
      if (consumed != null) {
        if (ar.succeeded()) {
          consumed.end();
        } else {
          consumed.fail(String.valueOf(ar.cause()));
        }
      }
      if (ar.succeeded()) {
        msg.reply(null);
      } else {
        LOG.debug("handler of {} failed: {}", address(group, topic), ar.cause().toString());
        msg.fail(StoreUnavailable.is(ar.cause()) ? STORE_UNAVAILABLE : 500, String.valueOf(ar.cause()));
      }
    });
  }
}
