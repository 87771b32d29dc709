package dev.eventmall.common.event.payload;

/**
 * The payload of one event type, as a record read from and written to the envelope's {@code payload}
 * ({@code dev.eventmall.common.event.EventPayloads}). Each record mirrors its JSON Schema
 * {@code events/<type>.v1.schema.json}: the schema's required fields are the components its constructor refuses null
 * (and, for text, blank), tested by {@code EventPayloadSchemaTest}; the others may be null (absent).
 */
public interface EventPayload {

  /** {@code value}, refused when null: a required field of a payload. */
  static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  /** {@code value}, refused when null or blank: a required text field of a payload (the schemas' minLength 1). */
  static String requiredText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required" + (value == null ? "" : " (blank)"));
    }
    return value;
  }
}
