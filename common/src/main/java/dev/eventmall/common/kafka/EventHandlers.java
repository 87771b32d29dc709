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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The domain side of the bridge: a domain verticle registers the handler for the events one consumer group reads from
 * one topic. The handler's future decides: success acknowledges the record (the bridge may commit past it), failure
 * makes the bridge retry it with backoff and finally park it on the dead-letter topic, except when the failure is a store
 * that cannot be reached ({@link StoreUnavailable}): then the bridge waits for the store without counting attempts;
 * likewise, for a while ({@link NotYet#PATIENCE_WAITS}), for an event that came before the one it depends on.
 * Handlers ignore event types they do not care about by returning a succeeded future.
 */
public final class EventHandlers {
  /** Failure code of a handler that could not reach one of its stores ({@link StoreUnavailable}); otherwise 500. */
  public static final int STORE_UNAVAILABLE = 503;
  /** Failure code of a handler whose event came before one it depends on ({@link NotYet}). */
  public static final int NOT_YET = 425;
  private static final Logger LOG = LoggerFactory.getLogger(EventHandlers.class);

  private EventHandlers() {
  }

  /** The event-bus address the bridge of {@code group} sends the records of {@code topic} to. */
  public static String address(String group, String topic) {
    return "eventmall.events." + group + "." + topic;
  }

  /** Per Vert.x instance: consumer group → its batch handler (see {@link #registerBatch}). */
  private static final Map<Vertx, Map<String, BatchRegistration>> BATCH =
    Collections.synchronizedMap(new WeakHashMap<>());

  private record BatchRegistration(BatchHandler handler, List<MessageConsumer<JsonObject>> consumers) {
    boolean live() {
      return consumers.stream().allMatch(MessageConsumer::isRegistered);
    }
  }

  /**
   * Registers the batch handler of consumer group {@code group}: its {@link KafkaEventBridge} hands it whole polls
   * ({@link BatchHandler}). The single-record lane (retries of an event that failed in its batch) and dead-letter replays
   * reach the same handler with a batch of one, through the per-topic event-bus addresses registered here as by
   * {@link #register}. It lasts as long as those consumers: undeploying the verticle that registered it ends it.
   */
  public static Future<Void> registerBatch(Vertx vertx, String group, List<String> topics, BatchHandler handler) {
    List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    for (String topic : topics) {
      consumers.add(register(vertx, group, topic, event -> handler.handle(List.of(new Consumed(topic, event,
        TraceContext.current()))).compose(results -> results.get(0))));
    }
    BATCH.computeIfAbsent(vertx, v -> new ConcurrentHashMap<>()).put(group, new BatchRegistration(handler, consumers));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** The live batch handler of {@code group} in {@code vertx}, or null (the bridge then hands records over one by one). */
  static BatchHandler batchHandler(Vertx vertx, String group) {
    Map<String, BatchRegistration> groups = BATCH.get(vertx);
    BatchRegistration registration = groups == null ? null : groups.get(group);
    return registration != null && registration.live() ? registration.handler() : null;
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
   * The CONSUMER span {@code <topic> process} of one handling whose ids are {@code consumer} (a child of the event's
   * span); {@link Tracing#noSpan()} when tracing is off or the event carries no trace.
   */
  static Tracing.Span consumerSpan(Tracing tracing, String group, String topic, EventEnvelope event, String consumer,
                                   String attempt) {
    if (consumer == null || !tracing.enabled()) {
      return Tracing.noSpan();
    }
    return tracing.start(Tracing.Kind.CONSUMER, topic + " process", consumer, TraceContext.spanId(event.traceparent()))
      .set("messaging.system", "kafka")
      .set("messaging.operation.type", "process")
      .set("messaging.destination.name", topic)
      .set("messaging.consumer.group.name", group)
      .set("messaging.message.id", event.id().toString())
      .set("messaging.kafka.message.key", event.key())
      .set("eventmall.event.type", event.type())
      .set("eventmall.attempt", attempt);
  }

  /**
   * Runs the handler as a span of its own, a child of the event's span (same trace, new span id): the events it causes
   * are children of that span. With {@link Tracing} enabled it is exported as a CONSUMER span {@code <topic> process}.
   */
  private static void handle(Tracing tracing, String group, String topic, Function<EventEnvelope, Future<?>> handler,
                             Message<JsonObject> msg) {
    Future<?> result;
    Tracing.Span span = Tracing.noSpan();
    try {
      EventEnvelope event = EventEnvelope.fromJson(msg.body());
      String consumer = TraceContext.valid(event.traceparent()) ? TraceContext.child(event.traceparent()) : null;
      TraceContext.setCurrent(consumer);
      span = consumerSpan(tracing, group, topic, event, consumer, msg.headers().get("attempt"));
      result = handler.apply(event);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    Tracing.Span consumed = span;
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        consumed.end();
        msg.reply(null);
      } else {
        consumed.fail(String.valueOf(ar.cause()));
        LOG.debug("handler of {} failed: {}", address(group, topic), ar.cause().toString());
        msg.fail(StoreUnavailable.is(ar.cause()) ? STORE_UNAVAILABLE : ar.cause() instanceof NotYet ? NOT_YET : 500,
          String.valueOf(ar.cause()));
      }
    });
  }
}
