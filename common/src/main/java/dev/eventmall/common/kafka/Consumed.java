package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.common.trace.TraceContext;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * One event a consumer group read, as a {@link BatchHandler} sees it: the topic it came from, the event, and the span
 * of its handling (a child of the event's own span, null when the event carries no trace).
 *
 * @param topic the topic it was read from
 * @param event the event
 * @param span  traceparent of the CONSUMER span of this handling, or null
 */
public record Consumed(String topic, EventEnvelope event, String span) {

  /** The handling's span for {@code event}: a new child of its traceparent (null when it has none). */
  public static Consumed of(String topic, EventEnvelope event) {
    return new Consumed(topic, event, TraceContext.valid(event.traceparent()) ? TraceContext.child(event.traceparent())
      : null);
  }

  public String type() {
    return event.type();
  }

  public JsonObject payload() {
    return event.payload();
  }

  /**
   * A new event this one causes (version 1): same correlation id, causation = this event's id, a new span in the
   * handling's trace.
   */
  public EventEnvelope causes(String type, String key, JsonObject payload) {
    return new EventEnvelope(UUID.randomUUID(), type, 1, Instant.now(), key, event.correlationId(), event.id().toString(),
      span != null ? TraceContext.child(span) : null, payload);
  }

  /** {@code emitted} as an outbox row of {@code topic} whose PRODUCER span is a child of this handling's span. */
  public Outbox.Outgoing emit(String topic, EventEnvelope emitted) {
    return new Outbox.Outgoing(topic, emitted, span == null ? null : TraceContext.spanId(span));
  }
}
