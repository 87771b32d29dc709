package dev.eventmall.common.testing;

import dev.eventmall.common.http.ContractRoutes;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contract test of a service's answers: every response received for an operation of the service's OpenAPI
 * document is checked against that document ({@code vertx-openapi}'s {@link ResponseValidator}: the status must be
 * declared, declared headers and the body must match their schemas). A response that breaks the document is a
 * {@link Violation} (an {@link AssertionError}) naming the operation and the reason. Paths that are not in the document
 * ({@code /docs}, {@code /openapi.yaml}) and requests the document refuses to route are not checked.
 * <ul>
 *   <li>{@link #validating} makes a {@link WebClient} check every answer it receives (the request fails with the
 *   violation), so every API test using the client is also a contract test:
 *   <pre>{@code client = ContractCheck.validating(vertx, WebClient.create(vertx, options), "openapi/order.yaml");}</pre></li>
 *   <li>{@link #verify} checks one answer received by another client (the end-to-end suites' {@code java.net.http}
 *   client), on the calling thread:
 *   <pre>{@code ContractCheck.of(vertx, "openapi/order.yaml").verify("GET", "/orders/1", 200, headers.map(), body);}</pre></li>
 * </ul>
 */
public final class ContractCheck {

  /** An answer that breaks the service's document. */
  public static final class Violation extends AssertionError {
    Violation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String document;
  private final OpenAPIContract contract;
  private final ResponseValidator validator;

  private ContractCheck(Vertx vertx, String document, OpenAPIContract contract) {
    this.document = document;
    this.contract = contract;
    this.validator = ResponseValidator.create(vertx, contract);
  }

  /** The check of the answers of the document {@code classpathResource} (read once, here; call it off the event loop). */
  public static ContractCheck of(Vertx vertx, String classpathResource) {
    return new ContractCheck(vertx, classpathResource, Await.result(ContractRoutes.contract(vertx, classpathResource)));
  }

  /** {@code client}, with every answer it receives validated against the document {@code classpathResource}. */
  public static WebClient validating(Vertx vertx, WebClient client, String classpathResource) {
    return of(vertx, classpathResource).validating(client);
  }

  /** {@code client}, with every answer it receives validated against this document. */
  public WebClient validating(WebClient client) {
    client.addInterceptor(ctx -> {
      if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
        ctx.next();
        return;
      }
      HttpResponse<?> response = ctx.response();
      check(ctx.request().method(), ctx.requestOptions().getURI(), response.statusCode(), response.headers(),
        response.bodyAsBuffer()).onComplete(ok -> {
          if (ok.succeeded()) {
            ctx.next();
          } else {
            ctx.fail(ok.cause());
          }
        });
    });
    return client;
  }

  /**
   * Checks one answer on the calling thread (never an event loop): {@code uri} is the request's path with its query,
   * {@code headers} the answer's headers as {@code java.net.http} gives them. Throws a {@link Violation} when the answer
   * breaks the document.
   */
  public void verify(String method, String uri, int status, Map<String, List<String>> headers, String body) {
    MultiMap all = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(all::add);
    try {
      Await.result(check(HttpMethod.valueOf(method), uri, status, all, body == null ? null : Buffer.buffer(body)));
    } catch (RuntimeException e) {
      // Await wraps an error that is not a RuntimeException
      if (e.getCause() instanceof Violation violation) {
        throw new Violation(violation.getMessage(), violation.getCause());
      }
      throw e;
    }
  }

  /**
   * Whether the answer {@code (status, headers, body)} to {@code method uri} keeps the document: a succeeded future
   * when it does or when the document has no such operation, else one failed with a {@link Violation}.
   */
  public Future<Void> check(HttpMethod method, String uri, int status, MultiMap headers, Buffer body) {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    Operation operation = contract.findOperation(path, method);
    if (operation == null) {
      return Future.succeededFuture();
    }
    Map<String, String> first = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(h -> first.putIfAbsent(h.getKey(), h.getValue()));
    String contentType = headers.get("Content-Type");
    ValidatableResponse validatable = contentType == null || body == null || body.length() == 0
      ? ValidatableResponse.create(status, first)
      : ValidatableResponse.create(status, first, body, mediaType(contentType));
    return validator.validate(validatable, operation.getOperationId()).<Void>mapEmpty().recover(e ->
      Future.failedFuture(new Violation(method + " " + path + " → " + status + " breaks " + document + " (operation "
        + operation.getOperationId() + "): " + e.getMessage() + "\n  body: " + (body == null ? "" : body), e)));
  }

  /** The media type without parameters, {@code application/problem+json} read as JSON like {@link ContractRoutes}. */
  private static String mediaType(String contentType) {
    String type = contentType.split(";", 2)[0].trim();
    return ContractRoutes.PROBLEM_JSON.equals(type) ? "application/json" : type;
  }
}
