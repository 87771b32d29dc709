package dev.eventmall.delivery.client;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The parcel carrier's REST API ({@code Authorization: Bearer <api key>}) behind one circuit breaker. Only calls whose
 * outcome is unknown (timeouts, connection errors, 5xx, 408/409/429) fail inside the breaker and count against it; a
 * definite answer such as a 4xx refusal is a normal result. Every failed future of this class is an
 * {@link OutcomeUnknown} (the breaker being open included).
 */
public final class CarrierClient {
  public static final String CARRIER = "EVENTMALL_PARCEL";

  /** The answer to a shipment creation. */
  public sealed interface Created permits Accepted, Refused {
  }

  /** 201: the carrier holds the shipment. */
  public record Accepted(JsonObject shipment) implements Created {
  }

  /** A definite 4xx: the carrier will not take it (ADDRESS_UNDELIVERABLE, INVALID_REQUEST, ...). */
  public record Refused(int status, String code, String message) implements Created {
    public String reason() {
      return code + ": " + message;
    }
  }

  /** Nothing is known about the effect: retry with the same Idempotency-Key, or look the order up. */
  public static final class OutcomeUnknown extends RuntimeException {
    public OutcomeUnknown(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public record Options(String baseUrl, String apiKey, Duration timeout, int breakerMaxFailures, Duration breakerReset) {
  }

  private final WebClient client;
  private final CircuitBreaker breaker;
  private final Options options;

  public CarrierClient(Vertx vertx, Options options) {
    this.options = options;
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) options.timeout().toMillis())
      .setUserAgent("eventmall-delivery").setKeepAlive(true),
      // shipments of a batch are booked concurrently: more than the default 5 connections
      new PoolOptions().setHttp1MaxSize(64));
    this.breaker = CircuitBreaker.create("carrier", vertx, new CircuitBreakerOptions()
      .setMaxFailures(options.breakerMaxFailures())
      .setTimeout(options.timeout().toMillis() + 1_000)
      .setResetTimeout(options.breakerReset().toMillis()));
  }

  public CircuitBreakerState state() {
    return breaker.state();
  }

  /** {@code POST /v1/shipments} with {@code Idempotency-Key: ship:<orderId>}. */
  public Future<Created> create(String idempotencyKey, JsonObject body) {
    return call(() -> request(client.postAbs(options.baseUrl() + "/v1/shipments"))
        .putHeader("Idempotency-Key", idempotencyKey)
        .sendJsonObject(body),
      res -> res.statusCode() == 201 || res.statusCode() == 200
        ? new Accepted(res.bodyAsJsonObject())
        : refused(res));
  }

  /** {@code GET /v1/shipments/{trackingNumber}}; empty on 404. */
  public Future<Optional<JsonObject>> track(String trackingNumber) {
    return call(() -> request(client.getAbs(options.baseUrl() + "/v1/shipments/" + trackingNumber)).send(),
      res -> {
        if (res.statusCode() == 200) {
          return Optional.of(res.bodyAsJsonObject());
        }
        if (res.statusCode() == 404) {
          return Optional.empty();
        }
        throw new OutcomeUnknown("carrier answered " + res.statusCode() + " to a tracking request", null);
      });
  }

  /** {@code GET /v1/shipments?orderId=}: the shipments the carrier holds for an order (lookup after unknown outcomes). */
  public Future<List<JsonObject>> findByOrder(String orderId) {
    return call(() -> request(client.getAbs(options.baseUrl() + "/v1/shipments")).addQueryParam("orderId", orderId).send(),
      res -> {
        if (res.statusCode() != 200) {
          throw new OutcomeUnknown("carrier answered " + res.statusCode() + " to a lookup", null);
        }
        JsonArray list = res.bodyAsJsonObject().getJsonArray("shipments", new JsonArray());
        return list.stream().map(JsonObject.class::cast).toList();
      });
  }

  /**
   * {@code POST /v1/shipments/{trackingNumber}/cancel}: the canceled shipment, or empty when the carrier answers that it
   * can no longer be canceled (409 NOT_CANCELABLE: already picked up).
   */
  public Future<Optional<JsonObject>> cancel(String trackingNumber) {
    return call(() -> request(client.postAbs(options.baseUrl() + "/v1/shipments/" + trackingNumber + "/cancel"))
        .putHeader("Idempotency-Key", "cancel:" + trackingNumber).send(),
      res -> {
        if (res.statusCode() == 200) {
          return Optional.of(res.bodyAsJsonObject());
        }
        if (res.statusCode() == 409 && "NOT_CANCELABLE".equals(code(res))) {
          return Optional.empty();
        }
        throw new OutcomeUnknown("carrier answered " + res.statusCode() + " to a cancel", null);
      });
  }

  public Future<Void> close() {
    breaker.close();
    client.close();
    return Future.succeededFuture();
  }

  private HttpRequest<Buffer> request(HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(options.apiKey()).timeout(options.timeout().toMillis());
  }

  /**
   * Runs a request inside the breaker: an answer the caller cannot act on definitely (5xx, 408, 409 in flight, 429,
   * or {@code read} throwing {@link OutcomeUnknown}) fails inside the breaker; definite answers succeed.
   */
  private <T> Future<T> call(java.util.function.Supplier<Future<HttpResponse<Buffer>>> send,
                             Function<HttpResponse<Buffer>, T> read) {
    return breaker.<T>execute(() -> send.get().compose(res -> {
        if (unknown(res)) {
          return Future.failedFuture(new OutcomeUnknown("carrier answered " + res.statusCode() + " " + code(res), null));
        }
        try {
          return Future.succeededFuture(read.apply(res));
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      }))
      .recover(e -> Future.failedFuture(e instanceof OutcomeUnknown u ? u : new OutcomeUnknown(String.valueOf(e), e)));
  }

  private static boolean unknown(HttpResponse<Buffer> res) {
    int status = res.statusCode();
    return status >= 500 || status == 408 || status == 429
      || status == 409 && "IDEMPOTENT_REQUEST_PROCESSING".equals(code(res));
  }

  private static Refused refused(HttpResponse<Buffer> res) {
    String code = code(res);
    JsonObject body = json(res);
    return new Refused(res.statusCode(), code, body == null ? "" : body.getString("message", ""));
  }

  private static String code(HttpResponse<Buffer> res) {
    JsonObject body = json(res);
    return body == null ? "HTTP_" + res.statusCode() : body.getString("code", "HTTP_" + res.statusCode());
  }

  private static JsonObject json(HttpResponse<Buffer> res) {
    try {
      return res.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
