package dev.eventmall.common.http;

import dev.eventmall.common.domain.DomainException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * The one mapping from a {@link DomainException} to the problem it is answered with ({@link FailureHandler} applies
 * it to every failed request):
 * <table>
 *   <tr><th>kind</th><th>status</th></tr>
 *   <tr><td>INVALID</td><td>400</td></tr>
 *   <tr><td>FORBIDDEN</td><td>403</td></tr>
 *   <tr><td>NOT_FOUND</td><td>404</td></tr>
 *   <tr><td>CONFLICT</td><td>409</td></tr>
 *   <tr><td>UNPROCESSABLE</td><td>422</td></tr>
 *   <tr><td>UNAVAILABLE</td><td>503</td></tr>
 * </table>
 * {@code type} is {@code TYPE_BASE + code} (the status's slug when there is no code), {@code title} the exception's
 * (the status's reason phrase when none), {@code detail} its message; its facts become extension members in their
 * order, its field errors {@code errors: [{field, message}]}, and a {@code retryAfter} the headers {@code Retry-After}
 * (whole seconds, rounded up, at least 1) and {@code Retry-After-Ms}.
 */
public final class DomainProblems {

  private DomainProblems() {
  }

  /** The HTTP status a kind of refusal is answered with. */
  public static int status(DomainException.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case UNPROCESSABLE -> 422;
      case UNAVAILABLE -> 503;
    };
  }

  /** The problem (and headers) {@code e} is answered with. */
  public static ProblemException of(DomainException e) {
    int status = status(e.kind());
    Problem problem = Problem.of(status, e.code() == null ? Problem.slugFor(status) : e.code(),
      e.title() == null ? HttpResponseStatus.valueOf(status).reasonPhrase() : e.title(), e.getMessage());
    for (var fact : e.facts().entrySet()) {
      problem = problem.with(fact.getKey(), fact.getValue());
    }
    if (!e.errors().isEmpty()) {
      JsonArray errors = new JsonArray();
      e.errors().forEach(f -> errors.add(new JsonObject().put("field", f.field()).put("message", f.message())));
      problem = problem.with("errors", errors);
    }
    ProblemException raised = new ProblemException(problem);
    Duration retryAfter = e.retryAfter();
    if (retryAfter != null) {
      long ms = Math.max(0, retryAfter.toMillis());
      raised = raised.withHeader("Retry-After", Long.toString(Math.max(1, (ms + 999) / 1000)))
        .withHeader("Retry-After-Ms", Long.toString(ms));
    }
    return raised;
  }
}
