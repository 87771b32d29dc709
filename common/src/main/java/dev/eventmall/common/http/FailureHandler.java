package dev.eventmall.common.http;

import dev.eventmall.common.db.StoreUnavailable;
import dev.eventmall.common.domain.DomainException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: turns every failed routing context into an {@code application/problem+json} response.
 * <ul>
 *   <li>{@link ProblemException} → its problem and headers;</li>
 *   <li>{@link DomainException} (a refusal raised by service or domain code) → the problem {@link DomainProblems}
 *   maps it to;</li>
 *   <li>{@link HttpException} → its status, its payload as detail for 4xx;</li>
 *   <li>malformed JSON ({@link DecodeException} anywhere in the cause chain) → 400 {@code malformed-json};</li>
 *   <li>a bare status ({@code ctx.fail(413)}, router 404/405, auth 401) → that status;</li>
 *   <li>a connection pool whose wait queue is full → 503 {@code overloaded} with {@code Retry-After: 1}, logged as a
 *   warning without a stack trace (under overload thousands of them would otherwise be written);</li>
 *   <li>one of the service's own stores (MySQL, Redis, Cassandra) cannot be reached ({@link StoreUnavailable}:
 *   connection refused, reset or closed, no node) → 503 {@code store-unavailable} with {@code Retry-After} (seconds)
 *   and {@code Retry-After-Ms}, logged as a warning with the request id and without a stack trace (during an outage
 *   every request fails so, and it is the store's fault, not a bug);</li>
 *   <li>anything else → 500 with a generic detail; the exception is logged with the request id, never sent.</li>
 * </ul>
 * Every 401 carries {@code WWW-Authenticate: Bearer}. Install with {@code router.route().failureHandler(..)} and as
 * the router's 404/405 error handler; {@link HttpBootstrap} does both.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  private static final String GENERIC_500 = "An unexpected error occurred; quote the request id when reporting it";
  /** How long a client is asked to wait before retrying a request that failed on an unreachable store. */
  static final long STORE_RETRY_AFTER_MS = 2_000;

  /** Creates the failure handler. */
  public static FailureHandler create() {
    return new FailureHandler();
  }

  private FailureHandler() {
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    Throwable failure = ctx.failure();
    String requestId = RequestId.of(ctx);
    if (response.ended() || response.closed() || response.headWritten()) {
      LOG.warn("[{}] {} {} failed after the response was started", requestId, ctx.request().method(),
        ctx.request().path(), failure);
      if (!response.ended() && !response.closed()) {
        response.reset();
      }
      return;
    }
    ProblemException raised = toProblem(ctx.statusCode(), failure);
    Problem problem = raised.problem().withInstance(ctx.request().path()).with("requestId", requestId);
    if (failure instanceof DomainException) {
      // an expected refusal (overloaded, busy, not found…), counted by its own meters: under overload there are
      // thousands a second, and an ERROR line each would cost the CPU the shedding is there to save
      if (LOG.isDebugEnabled()) {
        LOG.debug("[{}] {} {} -> {} {}", requestId, ctx.request().method(), ctx.request().path(), problem.status(),
          failure.getMessage());
      }
    } else if (problem.status() == 503 && isOverload(failure)) {
      LOG.warn("[{}] {} {} -> 503 overloaded: {}", requestId, ctx.request().method(), ctx.request().path(),
        failure.getMessage());
    } else if (problem.status() == 503 && StoreUnavailable.is(failure)) {
      LOG.warn("[{}] {} {} -> 503 store-unavailable: {}", requestId, ctx.request().method(), ctx.request().path(),
        String.valueOf(failure));
    } else if (problem.status() >= 500) {
      LOG.error("[{}] {} {} -> {}", requestId, ctx.request().method(), ctx.request().path(), problem.status(), failure);
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("[{}] {} {} -> {} {}", requestId, ctx.request().method(), ctx.request().path(), problem.status(),
        failure == null ? "" : failure.toString());
    }
    raised.headers().forEach(response::putHeader);
    if (problem.status() == 401 && !response.headers().contains("WWW-Authenticate")) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"eventmall\"");
    }
    if (problem.status() == 413) {
      // the unread body would otherwise be parsed as the next request on a kept-alive connection
      response.putHeader("Connection", "close");
    }
    send(response, problem);
  }

  /** Ends {@code response} with {@code problem}: its status, {@code application/problem+json}, not cacheable, not sniffed. */
  static Future<Void> send(HttpServerResponse response, Problem problem) {
    return response.setStatusCode(problem.status())
      .putHeader("Content-Type", Problem.CONTENT_TYPE)
      .putHeader("Cache-Control", "no-store")
      .putHeader("X-Content-Type-Options", "nosniff")
      .end(problem.toJson().encode());
  }

  /** Maps a failure (status code and/or exception) to a problem; exposed for tests and custom error paths. */
  static ProblemException toProblem(int statusCode, Throwable failure) {
    if (failure instanceof ProblemException pe) {
      return pe;
    }
    if (failure instanceof DomainException de) {
      return DomainProblems.of(de);
    }
    if (isDecodeFailure(failure)) {
      return ProblemException.of(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON");
    }
    if (isOverload(failure)) {
      return ProblemException.of(503, "overloaded", "Overloaded",
        "Too many requests are waiting for a database connection; retry shortly").withHeader("Retry-After", "1");
    }
    if (StoreUnavailable.is(failure)) {
      return ProblemException.of(503, "store-unavailable", "Service temporarily unavailable",
          "A store this service depends on cannot be reached right now; retry after the time given")
        .withHeader("Retry-After", Long.toString((STORE_RETRY_AFTER_MS + 999) / 1000))
        .withHeader("Retry-After-Ms", Long.toString(STORE_RETRY_AFTER_MS));
    }
    int status = statusCode;
    String detail = null;
    if (failure instanceof HttpException he) {
      status = he.getStatusCode();
      detail = he.getPayload();
    }
    if (status < 400 || status > 599) {
      status = 500;
    }
    if (status >= 500) {
      detail = status == 500 ? GENERIC_500 : null;
    } else if (detail == null) {
      detail = defaultDetail(status);
    }
    return new ProblemException(Problem.ofStatus(status, detail));
  }

  /** A pool whose wait queue is full (Vert.x's {@code ConnectionPoolTooBusyException}, e.g. the SQL client's). */
  static boolean isOverload(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDecodeFailure(Throwable t) {
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof DecodeException) {
        return true;
      }
    }
    return false;
  }

  private static String defaultDetail(int status) {
    return switch (status) {
      case 400 -> "The request is invalid";
      case 401 -> "A valid bearer token is required";
      case 403 -> "The authenticated principal may not do this";
      case 404 -> "No resource here";
      case 405 -> "This resource does not support the request method";
      case 413 -> "The request body exceeds the size limit";
      case 415 -> "The request content type is not supported";
      default -> null;
    };
  }
}
