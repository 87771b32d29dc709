package dev.eventmall.common.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.eventmall.common.event.payload.EventPayload;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.VertxModule;

import java.util.List;
import java.util.Map;

/**
 * Reads an event's payload into its record ({@link EventTypes}) and writes a record back as a payload, with Jackson
 * databind, the library under Vert.x's own {@code JsonObject.mapTo} (Java records are read through their canonical
 * constructor), on a mapper of its own that is stricter than Vert.x's shared one: no coercion of scalars ({@code "3"}
 * is not a number, {@code 1} not a boolean, {@code 42} not a text), no float for an integer, and Vert.x's module for {@code Instant}
 * (ISO-8601 text, as the schemas' {@code date-time}). Unknown fields are ignored (a tolerant reader); absent ones are
 * null, and each record refuses a null where its schema requires the field.
 *
 * <p>A payload that does not read is an {@link InvalidPayloadException}, an {@link IllegalArgumentException} like an
 * envelope that does not parse: the handler fails that event, the bridge retries it and parks it on the dead-letter
 * topic (common/kafka {@code EventHandlers}, {@code BatchHandler}).
 */
public final class EventPayloads {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
    .addModule(new VertxModule())
    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
    .withCoercionConfig(LogicalType.Textual, text -> text
      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
    .serializationInclusion(JsonInclude.Include.NON_NULL)
    .build();

  private EventPayloads() {
  }

  /** The payload of {@code event} as the record of its type. */
  public static EventPayload read(EventEnvelope event) {
    Class<? extends EventPayload> type = EventTypes.payloadOf(event.type()).orElseThrow(() ->
      new InvalidPayloadException(event.type() + " " + event.id() + ": no such event type"));
    return read(event, type);
  }

  /** The payload of {@code event} as {@code type}. */
  public static <T> T read(EventEnvelope event, Class<T> type) {
    try {
      return MAPPER.convertValue(event.payload().getMap(), type);
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException(event.type() + " " + event.id() + ": payload is not a "
        + type.getSimpleName() + ": " + message(e));
    }
  }

  /** {@code payload} as {@code type} (a payload outside its envelope, e.g. a test's or a replay's). */
  public static <T> T read(JsonObject payload, Class<T> type) {
    try {
      return MAPPER.convertValue(payload.getMap(), type);
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("payload is not a " + type.getSimpleName() + ": " + message(e));
    }
  }

  /** {@code value} (a payload record or a part of one) as JSON, absent fields left out. */
  @SuppressWarnings("unchecked")
  public static JsonObject toJson(Object value) {
    return new JsonObject((Map<String, Object>) MAPPER.convertValue(value, Map.class));
  }

  /** {@code values} (e.g. a payload's lines) as a JSON array. */
  public static JsonArray toJson(List<?> values) {
    return new JsonArray(values.stream().map(v -> (Object) toJson(v)).toList());
  }

  /** Jackson's reason, first line only, and where in the payload (e.g. {@code lines[0].quantity}). */
  private static String message(IllegalArgumentException e) {
    if (!(e.getCause() instanceof JsonMappingException m)) {
      return e.getMessage();
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    String reason = m.getOriginalMessage();
    int nl = reason == null ? -1 : reason.indexOf('\n');
    reason = nl < 0 ? reason : reason.substring(0, nl);
    return path.isEmpty() ? reason : path + ": " + reason;
  }

  /** A payload that does not read into its record: a required field missing or null, or a field of the wrong type. */
  public static final class InvalidPayloadException extends IllegalArgumentException {
    public InvalidPayloadException(String message) {
      super(message);
    }
  }
}
