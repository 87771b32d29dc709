package dev.eventmall.common.event;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Validates events against the JSON Schemas under {@code events/} on the classpath: {@code envelope.schema.json} for the
 * envelope and {@code <Type>.v<version>.schema.json} for each payload. Every event type must have a schema: an unknown type
 * is invalid. Producers validate on publish when {@link #ENABLED_PROPERTY} is {@code true} (the build sets it for tests);
 * consumer tests call {@link #validate} on what they read.
 */
public final class EventSchemas {
  /** System property that makes {@code Outbox.append} validate every event it stores. */
  public static final String ENABLED_PROPERTY = "eventmall.validateEvents";

  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions()
    .setDraft(Draft.DRAFT202012)
    .setBaseUri("https://eventmall.dev/events/")
    .setOutputFormat(OutputFormat.Basic);
  private static final Validator ENVELOPE = Validator.create(JsonSchema.of(load("events/envelope.schema.json")), OPTIONS);
  private static final Map<String, Validator> PAYLOADS = new ConcurrentHashMap<>();

  private EventSchemas() {
  }

  public static boolean enabled() {
    return Boolean.getBoolean(ENABLED_PROPERTY);
  }

  /**
   * @throws InvalidEventException listing every violation, when the envelope or its payload does not match its schema or
   *                               the type has no schema
   */
  public static void validate(EventEnvelope event) {
    JsonObject json = event.toJson();
    check(event, "envelope", ENVELOPE.validate(json));
    String resource = "events/" + event.type() + ".v" + event.version() + ".schema.json";
    Validator payload = PAYLOADS.computeIfAbsent(resource,
      r -> Validator.create(JsonSchema.of(load(r)), OPTIONS));
    check(event, resource, payload.validate(event.payload()));
  }

  private static void check(EventEnvelope event, String what, OutputUnit result) {
    if (!Boolean.TRUE.equals(result.getValid())) {
      List<OutputUnit> errors = result.getErrors() == null ? List.of(result) : result.getErrors();
      String detail = errors.stream()
        .map(e -> e.getInstanceLocation() + ": " + e.getError())
        .collect(Collectors.joining("; "));
      throw new InvalidEventException(event.type() + " " + event.id() + " violates " + what + ": " + detail);
    }
  }

  private static JsonObject load(String resource) {
    try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new InvalidEventException("no JSON Schema " + resource + " on the classpath: every event type needs one");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An event that does not match its schema, or whose type has none. */
  public static final class InvalidEventException extends IllegalArgumentException {
    public InvalidEventException(String message) {
      super(message);
    }
  }
}
