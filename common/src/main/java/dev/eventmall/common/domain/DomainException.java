package dev.eventmall.common.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An expected refusal raised by domain or service code, said in domain terms: what {@link Kind} of refusal it is, a
 * stable {@link #code()} clients may switch on, a short {@link #title()}, the message for humans and, where they apply,
 * the offending fields ({@link #errors()}), facts about the refusal ({@link #facts()}) and when to come back
 * ({@link #retryAfter()}). It names no protocol: the HTTP edge (the common failure handler) turns the kind into a
 * status and the rest into an {@code application/problem+json} body and headers.
 * <p>
 * Carries no stack trace (it is an outcome, not a bug). Subclasses name the refusal and keep its facts typed
 * ({@code OrderNotCancellable(status)}); a one-off may use this class directly.
 */
public class DomainException extends RuntimeException {

  /** What sort of refusal this is. */
  public enum Kind {
    /** The input itself is malformed (a parameter out of range, an unknown sort order). */
    INVALID,
    /** The caller may not do this to this thing (e.g. it belongs to someone else and that may be told). */
    FORBIDDEN,
    /** No such thing (or none the caller may see). */
    NOT_FOUND,
    /** The thing's current state does not allow it. */
    CONFLICT,
    /** Well-formed but unacceptable (unknown references, a mismatch, a reused key). */
    UNPROCESSABLE,
    /** Cannot be done right now (overload, a store not yet caught up); worth retrying. */
    UNAVAILABLE
  }

  /** One offending input: where it is ({@code lines[0].productId}) and what is wrong with it. */
  public record FieldError(String field, String message) {
    public FieldError {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(message, "message");
    }
  }

  private final Kind kind;
  private final String code;
  private final String title;

  /**
   * @param kind    what sort of refusal
   * @param code    stable lower-case code ({@code order-not-cancellable}); null: the kind's generic one
   * @param title   short summary that does not vary between occurrences; null: the kind's generic one
   * @param message what happened, for humans
   */
  public DomainException(Kind kind, String code, String title, String message) {
    super(message, null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.code = code;
    this.title = title;
  }

  public final Kind kind() {
    return kind;
  }

  /** The stable code, or null for the kind's generic one. */
  public final String code() {
    return code;
  }

  /** The short summary, or null for the kind's generic one. */
  public final String title() {
    return title;
  }

  /** The offending inputs, in the order found; empty unless the refusal is about fields. */
  public List<FieldError> errors() {
    return List.of();
  }

  /** Facts a client may act on (name → string, number or boolean), in a stable order; empty by default. */
  public Map<String, Object> facts() {
    return Map.of();
  }

  /** How long to wait before trying again; null when the refusal says nothing about it. */
  public Duration retryAfter() {
    return null;
  }
}
