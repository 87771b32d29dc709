package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One event a consumer group read, as a {@link BatchHandler} sees it: the topic it came from, the event, and the trace
 * of its handling.
 *
 * @param topic the topic it was read from
 * @param event the event
 * @param span  traceparent of the CONSUMER span of this handling (tracing on), else the event's own; null when the
 *              event carries no trace
 */
public record Consumed(String topic, EventEnvelope event, String span) {

  public String type() {
    return event.type();
  }

  public JsonObject payload() {
    return event.payload();
  }

  /**
   * A new event this one causes (version 1): same correlation id, causation = this event's id, in the handling's
   * trace.
   */
  public EventEnvelope causes(String type, String key, JsonObject payload) {
    return new EventEnvelope(UUID.randomUUID(), type, 1, Instant.now(), key, event.correlationId(), event.id().toString(),
      span, payload);
  }

  /** {@code call} (to Toss, to the carrier...) made in this handling's trace ({@link EventHandlers#inTrace}). */
  public <T> Future<T> inTrace(Supplier<Future<T>> call) {
    return EventHandlers.inTrace(span, call);
  }

  /** {@code emitted} as an outbox row of {@code topic}. */
  public Outbox.Outgoing emit(String topic, EventEnvelope emitted) {
    return new Outbox.Outgoing(topic, emitted);
  }
}
