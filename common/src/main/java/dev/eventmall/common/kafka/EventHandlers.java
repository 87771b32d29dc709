package dev.eventmall.common.kafka;

import dev.eventmall.common.db.StoreUnavailable;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

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
      consumers.add(register(vertx, group, topic, event -> {
        String current = Tracing.current();
        return handler.handle(List.of(new Consumed(topic, event, current != null ? current : event.traceparent())))
          .compose(results -> results.get(0));
      }));
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

  /**
   * Registers {@code handler} for the events of {@code topic} that the bridge of {@code group} hands over one by one.
   * Each event runs on a context of its own: Vert.x dispatches every message of a consumer on a new duplicate of the
   * consumer's context, with no locals; its current span is the handling's (tracing on) and its log fields its own.
   */
  public static MessageConsumer<JsonObject> register(Vertx vertx, String group, String topic,
                                                     Function<EventEnvelope, Future<?>> handler) {
    Tracing tracing = Tracing.of(vertx);
    return vertx.eventBus().<JsonObject>localConsumer(address(group, topic),
      msg -> handle(tracing, group, topic, handler, msg));
  }

  /** Numbers the one-message addresses of {@link #inTrace}. */
  private static final AtomicLong IN_TRACE = new AtomicLong();
  /** The message that starts an {@link #inTrace} call: local, and no span of its own. */
  private static final DeliveryOptions IN_TRACE_DELIVERY = new DeliveryOptions().setLocalOnly(true)
    .setTracingPolicy(TracingPolicy.IGNORE);

  /**
   * {@code call} (an HTTP call, a query) made in the trace {@code traceparent} names (an event handling's span of a
   * batch: {@link Consumed#span()}) rather than the current one: it runs on a context of its own whose current span is
   * that one, so the spans Vert.x makes for it (CLIENT, SQL) are its children; its outcome comes back on the caller's
   * context. Just {@code call} when tracing is off or {@code traceparent} is null.
   */
  public static <T> Future<T> inTrace(String traceparent, Supplier<Future<T>> call) {
    io.vertx.core.Context caller = Vertx.currentContext();
    SpanContext span = caller == null || !Tracing.of(caller.owner()).enabled() ? SpanContext.getInvalid()
      : Tracing.spanContext(traceparent);
    if (!span.isValid()) {
      return call.get();
    }
    // a context of its own on the caller's event loop: the one Vert.x makes for the message of a consumer registered
    // here (a new duplicate of the caller's context, no locals), for this one call
    Promise<T> back = Promise.promise();
    String address = "eventmall.in-trace." + IN_TRACE.incrementAndGet();
    MessageConsumer<Void> once = caller.owner().eventBus().localConsumer(address);
    once.handler(msg -> {
      once.unregister();
      Context.root().with(Span.wrap(span)).makeCurrent();
      Future<T> result;
      try {
        result = call.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> caller.runOnContext(v -> back.handle(ar)));
    });
    once.completion()
      .onSuccess(v -> caller.owner().eventBus().send(address, null, IN_TRACE_DELIVERY))
      .onFailure(back::tryFail);
    return back.future();
  }

  /**
   * The CONSUMER span {@code <topic> process} of one handling of {@code event}, a child of {@code parent} (the record's
   * {@code traceparent} header: the relay's PRODUCER span), else of the event's own traceparent; the invalid span (which
   * records nothing) when tracing is off or the event carries no trace.
   */
  static Span consumerSpan(Tracing tracing, String group, String topic, EventEnvelope event, String parent,
                           String attempt) {
    String from = parent != null ? parent : event.traceparent();
    if (from == null || !tracing.enabled()) {
      return Span.getInvalid();
    }
    return tracing.start(SpanKind.CONSUMER, topic + " process", from)
      .setAttribute("messaging.system", "kafka")
      .setAttribute("messaging.operation.type", "process")
      .setAttribute("messaging.destination.name", topic)
      .setAttribute("messaging.consumer.group.name", group)
      .setAttribute("messaging.message.id", event.id().toString())
      .setAttribute("messaging.kafka.message.key", event.key())
      .setAttribute("eventmall.event.type", event.type())
      .setAttribute("eventmall.attempt", attempt == null ? "" : attempt);
  }

  /** Ends {@code span}, with status ERROR when the handling failed. */
  static void end(Span span, Throwable failure) {
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(failure));
    }
    span.end();
  }

  /**
   * Runs the handler with its CONSUMER span as the current span of its context (tracing on): the SQL statements, HTTP
   * calls and events of the handling are that span's children.
   */
  private static void handle(Tracing tracing, String group, String topic, Function<EventEnvelope, Future<?>> handler,
                             Message<JsonObject> msg) {
    Future<?> result;
    Span span = Span.getInvalid();
    Scope scope = Scope.noop();
    LogContext.begin();
    try {
      EventEnvelope event = EventEnvelope.fromJson(msg.body());
      span = consumerSpan(tracing, group, topic, event, msg.headers().get(Tracing.HEADER), msg.headers().get("attempt"));
      if (span.getSpanContext().isValid()) {
        scope = Context.root().with(span).makeCurrent();
      }
      result = handler.apply(event);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    Span consumed = span;
    Scope current = scope;
    result.onComplete(ar -> {
      current.close();
      end(consumed, ar.cause());
      if (ar.succeeded()) {
        msg.reply(null);
      } else {
        LOG.debug("handler of {} failed: {}", address(group, topic), ar.cause().toString());
        msg.fail(StoreUnavailable.is(ar.cause()) ? STORE_UNAVAILABLE : ar.cause() instanceof NotYet ? NOT_YET : 500,
          String.valueOf(ar.cause()));
      }
    });
  }
}
