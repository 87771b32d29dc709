package dev.eventmall.payment.client;

import dev.eventmall.common.config.Config;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Toss Payments over vertx-web-client (/work/shared/TOSS.md): Basic auth {@code base64(secretKey + ":")}, JSON, one
 * Idempotency-Key per operation, connect and read timeouts, a circuit breaker that counts only outcome-unknown answers,
 * bounded retries with the SAME key, and a lookup before anything is declared failed.
 * <p>
 * Failed futures carry a {@link TossException}; charge and confirm succeed only with a {@code DONE} payment, cancel
 * only with {@code CANCELED}/{@code PARTIAL_CANCELED}. Every HTTP exchange is reported to the attempt sink.
 */
public final class TossClient {
  public static final String READ_TIMEOUT_MS = "TOSS_READ_TIMEOUT_MS";
  public static final String CONNECT_TIMEOUT_MS = "TOSS_CONNECT_TIMEOUT_MS";
  public static final String MAX_RETRIES = "TOSS_MAX_RETRIES";
  public static final String RETRY_BACKOFF_MS = "TOSS_RETRY_BACKOFF_MS";
  public static final String BREAKER_MAX_FAILURES = "TOSS_BREAKER_MAX_FAILURES";
  public static final String BREAKER_RESET_MS = "TOSS_BREAKER_RESET_MS";
  /** {@code TOSS_MAX_CONNECTIONS}: HTTP/1.1 connections to Toss kept at once (calls in flight), default 64. */
  public static final String MAX_CONNECTIONS = "TOSS_MAX_CONNECTIONS";
  /**
   * {@code TOSS_BILLING_SECRET_KEY}: the secret key of the MID that automatic (billing) payments run under; billing-key
   * issue, billing charges and their cancels and lookups use it. Default: {@code TOSS_SECRET_KEY} (one MID for both).
   */
  public static final String BILLING_SECRET_KEY = "TOSS_BILLING_SECRET_KEY";

  /**
   * The two merchant ids (MIDs) Toss issues keys for: checkout (NORMAL) payments and automatic (BILLING) payments. A
   * payment is visible only under the MID that made it, so each call uses the key of its payment's MID.
   */
  public enum Merchant { PAYMENTS, BILLING }

  private static final Logger LOG = LoggerFactory.getLogger(TossClient.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final WebClient client;
  private final Map<Merchant, CircuitBreaker> breakers = new EnumMap<>(Merchant.class);
  private final Map<Merchant, String> authorization = new EnumMap<>(Merchant.class);
  private volatile MeterRegistry registry;
  private final long readTimeoutMs;
  private final int maxRetries;
  private final long backoffMs;
  private final Consumer<TossAttempt> attempts;

  private TossClient(Vertx vertx, Config config, Consumer<TossAttempt> attempts) {
    this.vertx = vertx;
    this.attempts = Objects.requireNonNull(attempts, "attempts");
    URI base = URI.create(config.tossBaseUrl());
    boolean tls = "https".equals(base.getScheme());
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort() > 0 ? base.getPort() : tls ? 443 : 80)
      .setSsl(tls)
      .setConnectTimeout(config.getInt(CONNECT_TIMEOUT_MS, 3_000))
      .setUserAgent("EventMall-payment")
      .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(1, config.getInt(MAX_CONNECTIONS, 64))));
    authorization.put(Merchant.PAYMENTS, basic(config.tossSecretKey()));
    authorization.put(Merchant.BILLING, basic(config.get(BILLING_SECRET_KEY, config.tossSecretKey())));
    this.readTimeoutMs = config.getLong(READ_TIMEOUT_MS, 10_000);
    this.maxRetries = Math.max(0, config.getInt(MAX_RETRIES, 3));
    this.backoffMs = Math.max(1, config.getLong(RETRY_BACKOFF_MS, 200));
    for (Merchant m : Merchant.values()) {
      String name = m == Merchant.PAYMENTS ? "toss" : "toss-billing";
      breakers.put(m, CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
          .setMaxFailures(Math.max(1, config.getInt(BREAKER_MAX_FAILURES, 5)))
          .setResetTimeout(config.getLong(BREAKER_RESET_MS, 30_000))
          .setTimeout(-1) // the web client's own timeouts apply; a timeout is an OutcomeUnknown
          .setNotificationAddress(null))
        // an unknown outcome counts; a refused key opens the breaker itself (see exchange); declines are healthy
        .failurePolicy(ar -> ar.failed() && ar.cause() instanceof TossException.OutcomeUnknown)
        .openHandler(v -> LOG.warn("Toss circuit breaker {} OPEN", name))
        .halfOpenHandler(v -> LOG.info("Toss circuit breaker {} HALF_OPEN", name))
        .closeHandler(v -> LOG.info("Toss circuit breaker {} CLOSED", name)));
    }
  }

  private static String basic(String secretKey) {
    return "Basic " + Base64.getEncoder().encodeToString((secretKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  /** A client for {@code TOSS_BASE_URL} / {@code TOSS_SECRET_KEY}; every exchange is reported to {@code attempts}. */
  public static TossClient create(Vertx vertx, Config config, Consumer<TossAttempt> attempts) {
    return new TossClient(vertx, config, attempts);
  }

  /**
   * Registers {@code toss.circuit.state{merchant}} (0 closed, 1 half open, 2 open) and, as they happen,
   * {@code toss.misconfigured{merchant, code}} (configuration errors Toss answered: an alert).
   */
  public TossClient registerMetrics(MeterRegistry registry) {
    this.registry = registry;
    breakers.forEach((m, breaker) -> Gauge.builder("toss.circuit.state", breaker, b -> switch (b.state()) {
        case CLOSED -> 0;
        case HALF_OPEN -> 1;
        case OPEN -> 2;
      }).tag("merchant", m.name().toLowerCase(java.util.Locale.ROOT))
      .description("Toss circuit breaker: 0 closed, 1 half open, 2 open").register(registry));
    return this;
  }

  /** The checkout MID's breaker. */
  public CircuitBreakerState breakerState() {
    return breakerState(Merchant.PAYMENTS);
  }

  public CircuitBreakerState breakerState(Merchant merchant) {
    return breakers.get(merchant).state();
  }

  public void close() {
    breakers.values().forEach(CircuitBreaker::close);
    client.close();
  }

  // ---------------------------------------------------------------- operations

  /** {@code POST /v1/billing/{billingKey}} with {@code Idempotency-Key: charge:<orderId>}; resolves to a DONE payment. */
  public Future<JsonObject> chargeBilling(String billingKey, String customerKey, String orderId, long amount,
                                          String orderName) {
    JsonObject body = new JsonObject().put("customerKey", customerKey).put("amount", amount).put("orderId", orderId)
      .put("orderName", orderName);
    String key = "charge:" + orderId;
    return settle(Merchant.BILLING, orderId, withRetries(() -> post(Merchant.BILLING, "charge", orderId,
      "/v1/billing/" + enc(billingKey), key, body, false)));
  }

  /**
   * {@code POST /v1/payments/confirm} with {@code Idempotency-Key: confirm:<orderId>}; resolves to a DONE payment. A
   * payment confirmed as a virtual account ({@code WAITING_FOR_DEPOSIT}: the buyer chose another method than the card
   * the checkout asked for) is cancelled at Toss and fails with {@link TossException.MethodNotAccepted}.
   */
  public Future<JsonObject> confirm(String paymentKey, String orderId, long amount) {
    JsonObject body = new JsonObject().put("paymentKey", paymentKey).put("orderId", orderId).put("amount", amount);
    String key = "confirm:" + orderId;
    return settle(Merchant.PAYMENTS, orderId, withRetries(() -> post(Merchant.PAYMENTS, "confirm", orderId,
      "/v1/payments/confirm", key, body, false))
      .compose(p -> "WAITING_FOR_DEPOSIT".equals(p.getString("status")) ? refuseMethod(p, orderId)
        : Future.succeededFuture(p))
      .recover(e -> e instanceof TossException.AlreadyProcessed a ? ownPayment(paymentKey, orderId, amount, a)
        // the key is no open checkout of this order (another order's session, or this one's expired): nothing was
        // charged, and the order must not keep a key that may be another order's (it would block that order's confirm)
        : e instanceof TossException.Declined d && "NOT_FOUND_PAYMENT_SESSION".equals(d.code())
        ? Future.failedFuture(new TossException.ForeignPayment(d.status(), d.code(), "payment key " + paymentKey
        + " is no open checkout of order " + orderId))
        : Future.failedFuture(e)));
  }

  /**
   * After ALREADY_PROCESSED_PAYMENT on a confirm: the key's payment, read back, when it is this order's DONE payment of
   * this amount (our own earlier confirm); a {@link TossException.ForeignPayment} when it is another order's or Toss does
   * not know the key; the original answer when the lookup itself fails (still unknown: retried later).
   */
  private Future<JsonObject> ownPayment(String paymentKey, String orderId, long amount, TossException.AlreadyProcessed a) {
    return payment(Merchant.PAYMENTS, paymentKey, orderId).transform(ar -> {
      if (ar.succeeded()) {
        JsonObject p = ar.result();
        if (orderId.equals(p.getString("orderId")) && Long.valueOf(amount).equals(p.getLong("totalAmount"))) {
          return Future.succeededFuture(p);
        }
        return Future.failedFuture(new TossException.ForeignPayment(a.status(), a.code(),
          "payment key " + paymentKey + " belongs to another order"));
      }
      if (ar.cause() instanceof TossException.NotFound) {
        return Future.failedFuture(new TossException.ForeignPayment(a.status(), a.code(),
          "Toss knows no payment " + paymentKey));
      }
      return Future.failedFuture(a);
    });
  }

  /** A virtual account the checkout did not ask for: cancelled at Toss (nothing was paid yet), then refused. */
  private Future<JsonObject> refuseMethod(JsonObject payment, String orderId) {
    LOG.warn("order {} was confirmed as {} ({}): only cards are accepted, cancelling it at Toss", orderId,
      payment.getString("method"), payment.getString("status"));
    return cancel(Merchant.PAYMENTS, payment.getString("paymentKey"), orderId, 1, "only card payments are accepted")
      .compose(cancelled -> Future.failedFuture(new TossException.MethodNotAccepted("METHOD_NOT_ACCEPTED",
        "only card payments are accepted; the " + payment.getString("method", "payment") + " was cancelled")));
  }

  /**
   * {@code POST /v1/payments/{paymentKey}/cancel} (full) with {@code Idempotency-Key: cancel:<orderId>:<n>} under the
   * payment's {@code merchant}; resolves to a CANCELED payment (an unknown outcome or "already canceled" is looked up by
   * payment key).
   */
  public Future<JsonObject> cancel(Merchant merchant, String paymentKey, String orderId, int n, String reason) {
    JsonObject body = new JsonObject().put("cancelReason", truncate(reason, 200));
    String key = "cancel:" + orderId + ":" + n;
    return withRetries(() -> post(merchant, "cancel", orderId, "/v1/payments/" + enc(paymentKey) + "/cancel", key, body,
      true))
      .recover(e -> {
        if (e instanceof TossException.OutcomeUnknown || e instanceof TossException.AlreadyProcessed) {
          return withRetries(() -> payment(merchant, paymentKey, orderId)).transform(ar -> {
            if (ar.succeeded() && isCanceled(ar.result())) {
              return Future.succeededFuture(ar.result());
            }
            return Future.failedFuture(e instanceof TossException.AlreadyProcessed && ar.succeeded()
              ? new TossException.Declined(400, ((TossException) e).code(), "already processed but not canceled") : e);
          });
        }
        return Future.failedFuture(e);
      });
  }

  /**
   * {@code POST /v1/billing/authorizations/card}; {@code cardHash} (a digest of the card data, never the card number)
   * makes the key {@code billing-auth:<customerKey>:<cardHash>}.
   */
  public Future<JsonObject> authorizeCard(String customerKey, String cardHash, JsonObject card) {
    JsonObject body = card.copy().put("customerKey", customerKey);
    String key = "billing-auth:" + customerKey + ":" + cardHash;
    return withRetries(() -> post(Merchant.BILLING, "billing-auth", null, "/v1/billing/authorizations/card", key, body,
      false));
  }

  /**
   * {@code POST /v1/billing/authorizations/issue {authKey, customerKey}} under the billing MID: the billing key of the
   * card the customer authenticated in Toss's billing-auth window ({@code authKey} comes from its success redirect).
   */
  public Future<JsonObject> issueBillingKey(String customerKey, String authKey) {
    JsonObject body = new JsonObject().put("authKey", authKey).put("customerKey", customerKey);
    String key = "billing-issue:" + customerKey + ":" + authKey;
    return withRetries(() -> post(Merchant.BILLING, "billing-issue", null, "/v1/billing/authorizations/issue",
      truncate(key, 300), body, false));
  }

  /** {@code GET /v1/payments/{paymentKey}} under {@code merchant} (no retries; NotFound for an unknown payment). */
  public Future<JsonObject> payment(Merchant merchant, String paymentKey, String orderId) {
    return call(merchant, "lookup", orderId, HttpMethod.GET, "/v1/payments/" + enc(paymentKey), null, null, false);
  }

  /** {@code GET /v1/payments/orders/{orderId}} under {@code merchant} (no retries; NotFound when Toss has none). */
  public Future<JsonObject> paymentOfOrder(Merchant merchant, String orderId) {
    return call(merchant, "lookup", orderId, HttpMethod.GET, "/v1/payments/orders/" + enc(orderId), null, null, false);
  }

  // ---------------------------------------------------------------- mechanics

  /**
   * Turns the answer of a charge or confirm into a DONE payment or a final failure: an unknown outcome, "already
   * processed" or NOT_FOUND_PAYMENT is looked up by orderId before anything is declared.
   */
  private Future<JsonObject> settle(Merchant merchant, String orderId, Future<JsonObject> answer) {
    return answer.compose(p -> "DONE".equals(p.getString("status")) || "WAITING_FOR_DEPOSIT".equals(p.getString("status"))
        ? Future.succeededFuture(p) : lookup(merchant, orderId, null),
      e -> e instanceof TossException.OutcomeUnknown || e instanceof TossException.AlreadyProcessed
        || e instanceof TossException.NotFound
        ? lookup(merchant, orderId, (TossException) e)
        : Future.failedFuture(e));
  }

  private Future<JsonObject> lookup(Merchant merchant, String orderId, TossException cause) {
    return withRetries(() -> paymentOfOrder(merchant, orderId)).transform(ar -> {
      if (ar.succeeded()) {
        JsonObject p = ar.result();
        String status = p.getString("status", "");
        if ("DONE".equals(status) || isCanceled(p) || "WAITING_FOR_DEPOSIT".equals(status)) {
          return Future.succeededFuture(p);
        }
        if ("ABORTED".equals(status) || "EXPIRED".equals(status)) {
          JsonObject failure = p.getJsonObject("failure", new JsonObject());
          return Future.failedFuture(new TossException.Declined(0,
            failure.getString("code", status), failure.getString("message", "payment " + status)));
        }
        return Future.failedFuture(new TossException.OutcomeUnknown(0, "PAYMENT_" + status,
          "payment of order " + orderId + " is " + status));
      }
      if (ar.cause() instanceof TossException.NotFound && cause instanceof TossException.NotFound) {
        // NOT_FOUND_PAYMENT answered the charge and Toss has no payment for the order either: nothing was charged, a
        // definite decline (issue 13: it stayed CHARGING and the recovery re-confirmed it for ever)
        return Future.failedFuture(new TossException.Declined(cause.status(), cause.code(),
          "Toss has no payment for order " + orderId));
      }
      if (ar.cause() instanceof TossException.NotFound && cause instanceof TossException.AlreadyProcessed) {
        return Future.failedFuture(new TossException.OutcomeUnknown(0, cause.code(), "already processed, not found"));
      }
      // not found after an unknown outcome: it may still be in flight; keep it unknown (retried later, same key)
      return Future.failedFuture(cause != null ? cause : ar.cause());
    });
  }

  private static boolean isCanceled(JsonObject p) {
    String status = p.getString("status", "");
    return "CANCELED".equals(status) || "PARTIAL_CANCELED".equals(status);
  }

  private <T> Future<T> withRetries(Supplier<Future<T>> op) {
    return retry(op, 0);
  }

  private <T> Future<T> retry(Supplier<Future<T>> op, int attempt) {
    return op.get().recover(e -> {
      if (!(e instanceof TossException.OutcomeUnknown) || attempt >= maxRetries) {
        return Future.failedFuture(e);
      }
      long delay = Math.min(backoffMs << Math.min(attempt, 16), MAX_BACKOFF_MS);
      return vertx.timer(delay).compose(v -> retry(op, attempt + 1));
    });
  }

  private Future<JsonObject> post(Merchant merchant, String operation, String orderId, String path,
                                  String idempotencyKey, JsonObject body, boolean cancel) {
    return call(merchant, operation, orderId, HttpMethod.POST, path, idempotencyKey, body, cancel);
  }

  private Future<JsonObject> call(Merchant merchant, String operation, String orderId, HttpMethod method, String path,
                                  String idempotencyKey, JsonObject body, boolean cancel) {
    CircuitBreaker breaker = breakers.get(merchant);
    return breaker.<JsonObject>execute(() -> exchange(merchant, operation, orderId, method, path, idempotencyKey, body,
        cancel))
      .recover(e -> {
        if (e instanceof TossException.Misconfigured m) {
          misconfigured(merchant, breaker, m, operation, orderId);
        }
        return Future.failedFuture(e instanceof OpenCircuitException
          ? new TossException.OutcomeUnknown(0, "CIRCUIT_OPEN", "Toss circuit breaker is open") : e);
      });
  }

  /**
   * A configuration error is the merchant's, not the customer's: an ALERT in the log, {@code toss.misconfigured}, and a
   * refused key opens its MID's breaker at once (every call under it would fail the same way; the half-open probe after
   * the reset timeout tells when the key works again).
   */
  private void misconfigured(Merchant merchant, CircuitBreaker breaker, TossException.Misconfigured m, String operation,
                             String orderId) {
    LOG.error("ALERT: Toss refused the {} merchant's configuration on {}{}: {}{}", merchant, operation,
      orderId == null ? "" : " of order " + orderId, m.getMessage(), m.keyRefused() ? " (breaker opened)" : "");
    MeterRegistry r = registry;
    if (r != null) {
      r.counter("toss.misconfigured", "merchant", merchant.name().toLowerCase(java.util.Locale.ROOT), "code", m.code())
        .increment();
    }
    if (m.keyRefused()) {
      breaker.open();
    }
  }

  private Future<JsonObject> exchange(Merchant merchant, String operation, String orderId, HttpMethod method,
                                      String path, String idempotencyKey, JsonObject body, boolean cancel) {
    HttpRequest<Buffer> request = client.request(method, path)
      .putHeader("Authorization", authorization.get(merchant))
      .putHeader("Accept", "application/json")
      .putHeader("Accept-Language", "en-US")
      .timeout(readTimeoutMs);
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    long started = System.nanoTime();
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    return sent.transform(ar -> {
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (ar.failed()) {
        String code = ar.cause() instanceof java.util.concurrent.TimeoutException
          || String.valueOf(ar.cause().getMessage()).contains("imeout") ? "TIMEOUT" : "CONNECTION_ERROR";
        report(operation, orderId, idempotencyKey, 0, code, ms);
        return Future.failedFuture(new TossException.OutcomeUnknown(0, code, String.valueOf(ar.cause().getMessage())));
      }
      HttpResponse<Buffer> res = ar.result();
      JsonObject json = parse(res.body());
      if (res.statusCode() / 100 == 2 && json != null) {
        report(operation, orderId, idempotencyKey, res.statusCode(), null, ms);
        return Future.succeededFuture(json);
      }
      String code = json == null ? "HTTP_" + res.statusCode() : json.getString("code", "HTTP_" + res.statusCode());
      String message = json == null ? "" : json.getString("message", "");
      report(operation, orderId, idempotencyKey, res.statusCode(), code, ms);
      if (res.statusCode() / 100 == 2) {
        return Future.failedFuture(new TossException.OutcomeUnknown(res.statusCode(), "UNREADABLE_ANSWER", "not JSON"));
      }
      return Future.failedFuture(TossException.classify(res.statusCode(), code, message, cancel));
    });
  }

  private void report(String operation, String orderId, String key, int status, String code, long ms) {
    try {
      attempts.accept(new TossAttempt(operation, orderId, key, status, code, ms, Instant.now()));
    } catch (RuntimeException e) {
      LOG.warn("attempt sink failed: {}", e.toString());
    }
  }

  private static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return body.toJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String truncate(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
  }
}
