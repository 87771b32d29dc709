package dev.eventmall.common.event;

import dev.eventmall.common.trace.Tracing;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope every event travels in (ARCHITECTURE.md, "Events"). The Kafka record key is {@link #key()}; the record
 * headers repeat {@link #type()} and {@link #traceparent()}.
 *
 * @param id            unique event id, the inbox deduplicates on it
 * @param type          event type, e.g. {@code OrderPlaced}
 * @param version       payload schema version of that type
 * @param occurredAt    when the state change happened (UTC)
 * @param key           aggregate id; all events of one aggregate share a partition
 * @param correlationId the saga's id (the order id through an order saga)
 * @param causationId   id of the event that caused this one, or null for a command from outside
 * @param traceparent   W3C trace context, or null
 * @param payload       the event's data, validated against {@code events/<type>.v<version>.schema.json}
 */
public record EventEnvelope(UUID id, String type, int version, Instant occurredAt, String key, String correlationId,
                            String causationId, String traceparent, JsonObject payload) {

  public EventEnvelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
    correlationId = correlationId == null ? key : correlationId;
  }

  /**
   * A new event (version 1) that starts a causal chain: its correlation id is its own key; its traceparent is the
   * current span's (the request's or the event handling's: {@link Tracing#current()}), or null outside one.
   */
  public static EventEnvelope of(String type, String key, JsonObject payload) {
    return new EventEnvelope(UUID.randomUUID(), type, 1, Instant.now(), key, key, null, Tracing.current(),
      payload);
  }

  /**
   * A new event caused by {@code cause}: same correlation id, causation = the cause's id, in the current span's trace
   * (the handling of the cause), else in the cause's.
   */
  public static EventEnvelope causedBy(EventEnvelope cause, String type, String key, JsonObject payload) {
    String current = Tracing.current();
    String traceparent = current != null ? current : cause.traceparent();
    return new EventEnvelope(UUID.randomUUID(), type, 1, Instant.now(), key, cause.correlationId(),
      cause.id().toString(), traceparent, payload);
  }

  public EventEnvelope withTraceparent(String traceparent) {
    return new EventEnvelope(id, type, version, occurredAt, key, correlationId, causationId, traceparent, payload);
  }

  public EventEnvelope withCorrelationId(String correlationId) {
    return new EventEnvelope(id, type, version, occurredAt, key, correlationId, causationId, traceparent, payload);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id.toString())
      .put("type", type)
      .put("version", version)
      .put("occurredAt", occurredAt.toString())
      .put("key", key)
      .put("correlationId", correlationId);
    if (causationId != null) {
      json.put("causationId", causationId);
    }
    if (traceparent != null) {
      json.put("traceparent", traceparent);
    }
    return json.put("payload", payload);
  }

  public Buffer toBuffer() {
    return toJson().toBuffer();
  }

  /**
   * Reads an envelope.
   *
   * @throws IllegalArgumentException when a field is missing or has the wrong type (a poison record)
   */
  public static EventEnvelope fromJson(JsonObject json) {
    try {
      return new EventEnvelope(
        UUID.fromString(json.getString("id")),
        json.getString("type"),
        json.getInteger("version", 1),
        Instant.parse(json.getString("occurredAt")),
        json.getString("key"),
        json.getString("correlationId"),
        json.getString("causationId"),
        json.getString("traceparent"),
        json.getJsonObject("payload"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an event envelope: " + e.getMessage(), e);
    }
  }

  /** Reads an envelope from bytes; malformed JSON is an {@link IllegalArgumentException} too. */
  public static EventEnvelope fromBuffer(Buffer buffer) {
    JsonObject json;
    try {
      json = buffer.toJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    return fromJson(json);
  }
}
