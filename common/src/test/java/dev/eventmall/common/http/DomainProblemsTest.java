package dev.eventmall.common.http;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.domain.DomainException.FieldError;
import dev.eventmall.common.domain.DomainException.Kind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The one mapping from a domain refusal to its problem: status, type, title, detail, members and headers. */
class DomainProblemsTest {

  /** A refusal with every optional part, as a subclass would declare it. */
  private static final class Busy extends DomainException {
    Busy() {
      super(Kind.UNAVAILABLE, "busy", "Service Busy", "Too many checks are waiting; retry shortly");
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofMillis(500);
    }
  }

  private static final class Pending extends DomainException {
    Pending() {
      super(Kind.UNAVAILABLE, "document-pending", "Document pending", "Not yet readable");
    }

    @Override
    public Map<String, Object> facts() {
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("productId", "p-1");
      facts.put("version", 3L);
      return facts;
    }
  }

  private static final class BadQuery extends DomainException {
    BadQuery() {
      super(Kind.INVALID, "invalid-query", "Invalid search query", "The query string has invalid parameters");
    }

    @Override
    public List<FieldError> errors() {
      return List.of(new FieldError("size", "must be between 1 and 100"), new FieldError("sort", "must be one of x"));
    }
  }

  private static final class Overloaded extends DomainException {
    private final long ms;

    Overloaded(long ms) {
      super(Kind.UNAVAILABLE, "overloaded", "Overloaded", "retry in " + ms + " ms");
      this.ms = ms;
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofMillis(ms);
    }
  }

  static Stream<Arguments> table() {
    String base = Problem.TYPE_BASE;
    return Stream.of(
      // kind alone: the status's slug and reason phrase
      arguments(new DomainException(Kind.INVALID, null, null, "bad"), 400,
        new JsonObject().put("type", base + "bad-request").put("title", "Bad Request").put("status", 400)
          .put("detail", "bad"), Map.of()),
      arguments(new DomainException(Kind.FORBIDDEN, null, null, "Order o-1 is not yours"), 403,
        new JsonObject().put("type", base + "forbidden").put("title", "Forbidden").put("status", 403)
          .put("detail", "Order o-1 is not yours"), Map.of()),
      arguments(new DomainException(Kind.NOT_FOUND, null, null, "No such order"), 404,
        new JsonObject().put("type", base + "not-found").put("title", "Not Found").put("status", 404)
          .put("detail", "No such order"), Map.of()),
      arguments(new DomainException(Kind.CONFLICT, null, null, "already"), 409,
        new JsonObject().put("type", base + "conflict").put("title", "Conflict").put("status", 409)
          .put("detail", "already"), Map.of()),
      arguments(new DomainException(Kind.UNPROCESSABLE, null, null, "no"), 422,
        new JsonObject().put("type", base + "validation-failed").put("title", "Unprocessable Entity")
          .put("status", 422).put("detail", "no"), Map.of()),
      arguments(new DomainException(Kind.UNAVAILABLE, null, null, "later"), 503,
        new JsonObject().put("type", base + "service-unavailable").put("title", "Service Unavailable")
          .put("status", 503).put("detail", "later"), Map.of()),
      // a code replaces the slug; a title replaces the reason phrase; the kind alone picks the status
      arguments(new DomainException(Kind.NOT_FOUND, "no-payment", null, "No checkout payment"), 404,
        new JsonObject().put("type", base + "no-payment").put("title", "Not Found").put("status", 404)
          .put("detail", "No checkout payment"), Map.of()),
      arguments(new DomainException(Kind.UNPROCESSABLE, "amount-mismatch", "Amount mismatch", "The amount 5"), 422,
        new JsonObject().put("type", base + "amount-mismatch").put("title", "Amount mismatch").put("status", 422)
          .put("detail", "The amount 5"), Map.of()),
      // field errors, facts, retry-after
      arguments(new BadQuery(), 400,
        new JsonObject().put("type", base + "invalid-query").put("title", "Invalid search query").put("status", 400)
          .put("detail", "The query string has invalid parameters").put("errors", new JsonArray()
            .add(new JsonObject().put("field", "size").put("message", "must be between 1 and 100"))
            .add(new JsonObject().put("field", "sort").put("message", "must be one of x"))), Map.of()),
      arguments(new Pending(), 503,
        new JsonObject().put("type", base + "document-pending").put("title", "Document pending").put("status", 503)
          .put("detail", "Not yet readable").put("productId", "p-1").put("version", 3L), Map.of()),
      arguments(new Busy(), 503,
        new JsonObject().put("type", base + "busy").put("title", "Service Busy").put("status", 503)
          .put("detail", "Too many checks are waiting; retry shortly"),
        Map.of("Retry-After", "1", "Retry-After-Ms", "500")),
      // Retry-After is whole seconds rounded up
      arguments(new Overloaded(1001), 503,
        new JsonObject().put("type", base + "overloaded").put("title", "Overloaded").put("status", 503)
          .put("detail", "retry in 1001 ms"), Map.of("Retry-After", "2", "Retry-After-Ms", "1001")),
      arguments(new Overloaded(5000), 503,
        new JsonObject().put("type", base + "overloaded").put("title", "Overloaded").put("status", 503)
          .put("detail", "retry in 5000 ms"), Map.of("Retry-After", "5", "Retry-After-Ms", "5000")));
  }

  @ParameterizedTest
  @MethodSource("table")
  void mapsTheRefusalToItsProblem(DomainException refusal, int status, JsonObject body, Map<String, String> headers) {
    ProblemException mapped = DomainProblems.of(refusal);
    assertThat(mapped.problem().status()).isEqualTo(status);
    assertThat(mapped.problem().toJson()).isEqualTo(body);
    // member order as written (standard members first, then the facts in their order)
    assertThat(mapped.problem().toJson().fieldNames()).containsExactlyElementsOf(body.fieldNames());
    assertThat(mapped.headers()).isEqualTo(headers);
  }

  @ParameterizedTest
  @MethodSource("table")
  void theFailureHandlerAppliesTheMapping(DomainException refusal, int status, JsonObject body,
                                          Map<String, String> headers) {
    ProblemException handled = FailureHandler.toProblem(-1, refusal);
    assertThat(handled.problem().toJson()).isEqualTo(body);
    assertThat(handled.headers()).isEqualTo(headers);
  }

  @Test
  void everyKindHasAStatus() {
    for (Kind kind : Kind.values()) {
      assertThat(DomainProblems.status(kind)).isBetween(400, 599);
    }
  }

  @Test
  void aDomainRefusalCarriesNoStackTrace() {
    assertThat(new DomainException(Kind.CONFLICT, null, null, "x").getStackTrace()).isEmpty();
  }
}
