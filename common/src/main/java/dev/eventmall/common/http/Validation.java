package dev.eventmall.common.http;

import dev.eventmall.common.text.TextPolicy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks of a JSON object body that a service's OpenAPI document cannot express (trimmed non-blank text under the
 * {@link TextPolicy}, cross-field rules), and the strict JSON reading {@link ContractRoutes} applies to every body
 * first; types, ranges, sizes and unknown fields are the document's ({@link ContractRoutes}). Each getter reads and
 * checks one field, records a field error instead of throwing, and returns {@code null} when the field is invalid;
 * {@link #done()} then raises all errors at once as a 422 {@code validation-failed} problem with
 * {@code errors: [{field, message}]}.
 * <pre>{@code
 * Validation v = Validation.of(ctx);                 // 400 when the body is missing, malformed or not an object
 * String email = v.email("email");
 * String name = v.requiredString("name", 50);
 * int qty = v.intInRange("quantity", 1, 100);
 * v.done();                                         // throws ProblemException(422) if anything above failed
 * }</pre>
 */
public final class Validation {

  private static final Pattern EMAIL =
    Pattern.compile("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

  private final JsonObject body;
  private final JsonArray errors = new JsonArray();

  private Validation(JsonObject body) {
    this.body = body;
  }

  /**
   * The body parsed strictly (issue 16 row 14): Vert.x's shared parser accepts comments and lets a duplicate key win
   * silently, so that a proxy and this service could read two different requests from one body; here both are 400.
   */
  static Object strictJson(Buffer buffer) {
    // RFC 8259 §8.1: a sender must not add a byte order mark; Jackson would skip it silently (issue 16 row 14)
    if (buffer.length() >= 3 && buffer.getByte(0) == (byte) 0xEF && buffer.getByte(1) == (byte) 0xBB
      && buffer.getByte(2) == (byte) 0xBF) {
      throw ProblemException.of(400, "malformed-json", "Malformed JSON",
        "The request body starts with a byte order mark; send JSON without one");
    }
    try (com.fasterxml.jackson.core.JsonParser parser = io.vertx.core.json.jackson.JacksonCodec.createParser(buffer)) {
      parser.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      parser.disable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_COMMENTS);
      return io.vertx.core.json.jackson.JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException | java.io.IOException e) {
      String why = String.valueOf(e.getMessage());
      throw ProblemException.of(400, "malformed-json", "Malformed JSON", why.contains("Duplicate field")
        ? "The request body names a field twice" : "The request body is not valid JSON");
    }
  }

  /** {@code application/json} or {@code application/<something>+json}, parameters (charset) aside. */
  static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
  }

  /**
   * Validates the request body (needs {@code BodyHandler}); 400 when it is absent, malformed (comments and duplicate
   * keys included) or not a JSON object, 415 when it is declared as anything but JSON (an absent type is read as JSON).
   */
  public static Validation of(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw ProblemException.badRequest("A JSON object body is required");
    }
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      throw ProblemException.of(415, "unsupported-media-type", "Unsupported Media Type",
        "The request body must be sent as application/json, not " + contentType);
    }
    Object value = strictJson(buffer);
    if (value instanceof JsonObject object) {
      return new Validation(object);
    }
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked") Map<String, Object> fields = (Map<String, Object>) map;
      return new Validation(new JsonObject(fields));
    }
    throw ProblemException.badRequest("The request body must be a JSON object");
  }

  /** Validates an already decoded object. */
  public static Validation of(JsonObject body) {
    if (body == null) {
      throw ProblemException.badRequest("A JSON object body is required");
    }
    return new Validation(body);
  }

  /** The body being validated. */
  public JsonObject body() {
    return body;
  }

  /**
   * A required identifier: a string matching {@code pattern} exactly as sent (not trimmed: an id with whitespace around
   * it is malformed, not another id); {@code shape} says what the pattern allows.
   */
  public String identifier(String field, int maxLength, java.util.regex.Pattern pattern, String shape) {
    String value = requiredString(field, maxLength);
    if (value != null && !pattern.matcher(body.getString(field)).matches()) {
      return error(field, shape);
    }
    return value;
  }

  /** The JSON object in {@code field}, validated in turn; 422 at once when it is absent or not an object. */
  public Validation object(String field, String what) {
    if (!(body.getValue(field) instanceof JsonObject object)) {
      throw ProblemException.validation(new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("field", field).put("message", "must be " + what)));
    }
    return new Validation(object);
  }

  /** A non-blank string of at most {@code maxLength} characters (trimmed) that passes {@link TextPolicy}. */
  public String requiredString(String field, int maxLength) {
    Object v = body.getValue(field);
    if (v == null) {
      return error(field, "is required");
    }
    if (!(v instanceof String s)) {
      return error(field, "must be a string");
    }
    String t = s.trim();
    if (t.isEmpty()) {
      return error(field, "must not be blank");
    }
    if (t.length() > maxLength) {
      return error(field, "must be at most " + maxLength + " characters");
    }
    String refused = TextPolicy.violation(s); // untrimmed: trim() would drop a trailing NUL or other control silently
    if (refused != null) {
      return error(field, refused);
    }
    return t;
  }

  /**
   * Whether {@code text}, a value a service read itself (a description, an attribute, an option), passes
   * {@link TextPolicy}; when not, records the field error. An empty text passes (the caller decides whether it may be).
   */
  public boolean text(String field, String text) {
    String refused = text == null || text.isEmpty() ? null : TextPolicy.violation(text);
    if (refused != null) {
      error(field, refused);
    }
    return refused == null;
  }

  /** Like {@link #requiredString} but absent or null is fine (returns null). */
  public String optionalString(String field, int maxLength) {
    return body.getValue(field) == null ? null : requiredString(field, maxLength);
  }

  /** A required e-mail address (at most 254 characters), lower-cased. */
  public String email(String field) {
    String s = requiredString(field, 254);
    if (s != null && !EMAIL.matcher(s).matches()) {
      return error(field, "must be an e-mail address");
    }
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** A required integer in {@code [min, max]}; 0 when invalid (check {@link #done()}). */
  public int intInRange(String field, int min, int max) {
    Long n = longInRange(field, min, max);
    return n == null ? 0 : n.intValue();
  }

  /** A required positive long ({@code 1..Long.MAX_VALUE}); null when invalid. */
  public Long positiveLong(String field) {
    return longInRange(field, 1, Long.MAX_VALUE);
  }

  /** A required integral number in {@code [min, max]}; fractions and strings are refused; null when invalid. */
  public Long longInRange(String field, long min, long max) {
    Object v = body.getValue(field);
    if (v == null) {
      return error(field, "is required");
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte)) {
      return error(field, "must be an integer");
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      return error(field, "must be between " + min + " and " + max);
    }
    return n;
  }

  /** A required enum constant, matched by exact name. */
  public <E extends Enum<E>> E enumValue(String field, Class<E> type) {
    String s = requiredString(field, 64);
    if (s == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name());
    }
    return error(field, "must be one of " + allowed);
  }

  /** Records {@code message} for {@code field} unless {@code condition} holds (cross-field rules). */
  public Validation check(boolean condition, String field, String message) {
    if (!condition) {
      error(field, message);
    }
    return this;
  }

  /** Throws a 422 {@code validation-failed} {@link ProblemException} listing every field error, if any. */
  public void done() {
    if (!errors.isEmpty()) {
      throw ProblemException.validation(errors.copy());
    }
  }

  private <T> T error(String field, String message) {
    errors.add(new JsonObject().put("field", field).put("message", message));
    return null;
  }
}
