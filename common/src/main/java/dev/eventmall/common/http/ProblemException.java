package dev.eventmall.common.http;

import io.vertx.core.json.JsonArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Raises a {@link Problem} from a handler: throw it, {@code ctx.fail(it)} or return it as a failed future from
 * {@code route.respond(..)}; {@link FailureHandler} writes it. Carries no stack trace (it is an expected outcome) and
 * optional response headers (e.g. {@code WWW-Authenticate}, {@code Retry-After}).
 */
public final class ProblemException extends RuntimeException {

  private final Problem problem;
  private final Map<String, String> headers;

  public ProblemException(Problem problem) {
    this(problem, Map.of());
  }

  private ProblemException(Problem problem, Map<String, String> headers) {
    super(problem.title() + (problem.detail() == null ? "" : ": " + problem.detail()), null, false, false);
    this.problem = Objects.requireNonNull(problem, "problem");
    this.headers = Map.copyOf(headers);
  }

  public Problem problem() {
    return problem;
  }

  /** Response headers to send with the problem. */
  public Map<String, String> headers() {
    return headers;
  }

  /** A copy that also sends header {@code name: value}. */
  public ProblemException withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new ProblemException(problem, h);
  }

  // ---------------------------------------------------------------- factories for the common cases

  public static ProblemException of(int status, String slug, String title, String detail) {
    return new ProblemException(Problem.of(status, slug, title, detail));
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(Problem.ofStatus(400, detail));
  }

  /** 401 with {@code WWW-Authenticate: Bearer ...}; {@code error} is the RFC 6750 code or null. */
  public static ProblemException unauthorized(String detail, String error) {
    String challenge = "Bearer realm=\"eventmall\"" + (error == null ? "" : ", error=\"" + error + "\"");
    return new ProblemException(Problem.ofStatus(401, detail)).withHeader("WWW-Authenticate", challenge);
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(Problem.ofStatus(403, detail));
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(Problem.ofStatus(404, detail));
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(Problem.ofStatus(409, detail));
  }

  /** 422 {@code validation-failed} with {@code errors: [{field, message}]}. */
  public static ProblemException validation(JsonArray errors) {
    return new ProblemException(Problem.ofStatus(422, "The request body has invalid fields").with("errors", errors));
  }

  public static ProblemException serviceUnavailable(String detail) {
    return new ProblemException(Problem.ofStatus(503, detail));
  }
}
