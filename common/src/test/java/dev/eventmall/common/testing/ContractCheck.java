package dev.eventmall.common.testing;

import dev.eventmall.common.http.ContractRoutes;
import io.vertx.core.Future;
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

import java.util.Map;
import java.util.TreeMap;

/**
 * The contract test of a service's answers: {@link #validating} makes a {@link WebClient} check every response it
 * receives for an operation of the service's OpenAPI document against that document ({@code vertx-openapi}'s
 * {@link ResponseValidator}: the status must be declared, declared headers and the body must match their schemas).
 * A response that breaks the document fails the request with an {@link AssertionError} naming the operation and the
 * reason, so every API test using the client is also a contract test. Paths that are not in the document
 * ({@code /health/*}, {@code /metrics}, {@code /docs}) and requests the document refuses to route are not checked.
 * <pre>{@code
 * client = ContractCheck.validating(vertx, WebClient.create(vertx, options), "openapi/order.yaml");
 * }</pre>
 */
public final class ContractCheck {

  private ContractCheck() {
  }

  /** {@code client}, with every answer it receives validated against the document {@code classpathResource}. */
  public static WebClient validating(Vertx vertx, WebClient client, String classpathResource) {
    OpenAPIContract contract = Await.result(ContractRoutes.contract(vertx, classpathResource));
    ResponseValidator validator = ResponseValidator.create(vertx, contract);
    client.addInterceptor(ctx -> {
      if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
        ctx.next();
        return;
      }
      HttpMethod method = ctx.request().method();
      String uri = ctx.requestOptions().getURI();
      String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
      Operation operation = contract.findOperation(path, method);
      if (operation == null) {
        ctx.next();
        return;
      }
      HttpResponse<?> response = ctx.response();
      check(validator, operation, response).onComplete(ok -> {
        if (ok.succeeded()) {
          ctx.next();
        } else {
          ctx.fail(new AssertionError(method + " " + path + " → " + response.statusCode() + " breaks "
            + classpathResource + " (operation " + operation.getOperationId() + "): " + ok.cause().getMessage()
            + "\n  body: " + response.bodyAsString(), ok.cause()));
        }
      });
    });
    return client;
  }

  /** The media type without parameters, {@code application/problem+json} read as JSON like {@link ContractRoutes}. */
  private static String mediaType(String contentType) {
    String type = contentType.split(";", 2)[0].trim();
    return ContractRoutes.PROBLEM_JSON.equals(type) ? "application/json" : type;
  }

  private static Future<?> check(ResponseValidator validator, Operation operation, HttpResponse<?> response) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response.headers().forEach(h -> headers.putIfAbsent(h.getKey(), h.getValue()));
    String contentType = response.getHeader("Content-Type");
    Buffer body = response.bodyAsBuffer();
    ValidatableResponse validatable = contentType == null || body == null || body.length() == 0
      ? ValidatableResponse.create(response.statusCode(), headers)
      : ValidatableResponse.create(response.statusCode(), headers, body, mediaType(contentType));
    return validator.validate(validatable, operation.getOperationId());
  }
}
