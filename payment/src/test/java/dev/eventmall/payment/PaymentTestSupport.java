package dev.eventmall.payment;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.ServiceHarness;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.emulators.toss.TossConfig;
import dev.eventmall.emulators.toss.TossEmulator;
import dev.eventmall.payment.client.TossClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The payment service deployed once per test class through {@link PaymentApp#deploy} over real MariaDB and Kafka, with
 * the Toss emulator in-process (port 0), a web client, tokens, and {@link ServiceHarness}'s event probe (publishing as
 * catalog/order/delivery do, reading {@code payment.events}) and direct MySQL access for assertions.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Needs({Infra.MYSQL, Infra.KAFKA})
abstract class PaymentTestSupport {
  static final String SECRET = "payment-test-secret-0123456789-0123456789";
  static final String TOSS_SECRET_KEY = "test_sk_payment_tests";
  /** The billing MID's keys: billing keys, charges and their cancels live under this merchant at the emulator. */
  static final String BILLING_MID = "tpaymenttestsbilling";
  static final String TOSS_BILLING_SECRET_KEY = "test_sk_payment_tests_billing";
  static final String TOSS_BILLING_CLIENT_KEY = "test_ck_payment_tests_billing";
  static final String GOOD_CARD = "4330123412341234";

  Vertx vertx;
  Config config;
  TossEmulator toss;
  ServiceHarness harness;
  ServiceDeployment deployment;
  WebClient client;
  TokenIssuer tokens;
  Pool db;
  /** Where {@link #publish} put each event (its last time), for {@link #awaitHandled}. */
  final Map<UUID, RecordMetadata> publishedAt = new ConcurrentHashMap<>();

  @BeforeAll
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    toss = Await.result(TossEmulator.start(vertx, TossConfig.defaults()
      .merchant(BILLING_MID, TOSS_BILLING_CLIENT_KEY, TOSS_BILLING_SECRET_KEY)));
    Map<String, String> env = ServiceHarness.env("payment", SECRET);
    env.put(Config.TOSS_BASE_URL, toss.baseUrl());
    env.put(Config.TOSS_SECRET_KEY, TOSS_SECRET_KEY);
    env.put(TossClient.BILLING_SECRET_KEY, TOSS_BILLING_SECRET_KEY);
    env.put(dev.eventmall.payment.api.PaymentApi.BILLING_CLIENT_KEY, TOSS_BILLING_CLIENT_KEY);
    env.put(TossClient.READ_TIMEOUT_MS, "1500");
    env.put(TossClient.RETRY_BACKOFF_MS, "50");
    env.put(TossClient.MAX_RETRIES, "3");
    env.put(TossClient.BREAKER_MAX_FAILURES, "5");
    env.put(TossClient.BREAKER_RESET_MS, "1000");
    env.put(PaymentApp.RECOVERY_INTERVAL_MS, "0");
    env.put(PaymentApp.EVENT_RETRIES, "20");
    configure(env);
    config = Config.of(env);
    harness = ServiceHarness.deploy(vertx, config, c -> PaymentApp.deploy(vertx, c, Metrics.create("payment-test")),
      PaymentApp.DATABASE, Topics.PAYMENT_EVENTS);
    deployment = harness.deployment();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployment.httpPort())), "openapi/payment.yaml");
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 3600);
    db = harness.db();
  }

  @AfterEach
  void clearFaults() {
    toss.clearFaults();
  }

  @AfterAll
  void close() throws InterruptedException {
    client.close();
    // the saga bridge must leave consumer group payment-saga now: the next class joins it with its own database
    // (the running deployment: PaymentRecoveryTest restarts the service)
    harness.close(deployment);
    Await.result(toss.close());
  }

  /** A test class's own settings on top of the defaults above. */
  void configure(Map<String, String> env) {
  }

  // ---------------------------------------------------------------- helpers

  String customerToken(String memberId) {
    return tokens.issue(memberId, List.of("CUSTOMER"));
  }

  static String newOrderId() {
    return "order-" + UUID.randomUUID();
  }

  static String newMemberId() {
    return "member-" + UUID.randomUUID();
  }

  /**
   * Registers {@code cardNumber} as the browser would: Toss's billing-auth window (the emulator's sandbox stand-in,
   * opened with the billing MID's client key) gives an authKey, and the page sends it to the payment service. The card
   * number goes to Toss only, never to the payment service.
   */
  HttpResponse<Buffer> registerCard(String memberId, String cardNumber) {
    String customerKey = dev.eventmall.payment.domain.CustomerKeys.customerKey(memberId);
    return Await.result(client.post("/payments/billing-keys").bearerTokenAuthentication(customerToken(memberId))
      .sendJsonObject(new JsonObject().put("authKey", billingAuth(customerKey, cardNumber, TOSS_BILLING_CLIENT_KEY))
        .put("customerKey", customerKey)));
  }

  /** What the billing-auth window's success redirect carries: an authKey for {@code customerKey}'s card. */
  String billingAuth(String customerKey, String cardNumber, String clientKey) {
    HttpResponse<Buffer> res = sandboxPost("/sandbox/billing-auth", new JsonObject().put("customerKey", customerKey)
      .put("cardNumber", cardNumber).put("clientKey", clientKey));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getString("authKey");
  }

  /** Raw card numbers to the payment service (only for a merchant with Toss's card-number contract). */
  HttpResponse<Buffer> registerCardNumber(String memberId, String cardNumber) {
    return Await.result(client.post("/payments/billing-keys").bearerTokenAuthentication(customerToken(memberId))
      .sendJsonObject(card(cardNumber)));
  }

  HttpResponse<Buffer> sandboxPost(String path, JsonObject body) {
    URI base = URI.create(toss.baseUrl());
    WebClient sandbox = WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort()));
    try {
      return Await.result(sandbox.post(path).sendJsonObject(body));
    } finally {
      sandbox.close();
    }
  }

  /** A GET at the emulator's /v1 API with {@code secretKey} (as another system of that merchant would read it). */
  HttpResponse<Buffer> tossGet(String path, String secretKey) {
    URI base = URI.create(toss.baseUrl());
    WebClient direct = WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort()));
    try {
      return Await.result(direct.get(path).basicAuthentication(secretKey, "").send());
    } finally {
      direct.close();
    }
  }

  static JsonObject card(String number) {
    return new JsonObject().put("cardNumber", number).put("cardExpirationYear", "30").put("cardExpirationMonth", "12")
      .put("customerIdentityNumber", "880101");
  }

  /** A member with a billing key on {@code cardNumber}. */
  String memberWithCard(String cardNumber) {
    String memberId = newMemberId();
    HttpResponse<Buffer> res = registerCard(memberId, cardNumber);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return memberId;
  }

  static EventEnvelope stockReserved(String orderId, String memberId, long amount, String method) {
    return EventEnvelope.of("StockReserved", orderId, new JsonObject().put("orderId", orderId)
      .put("lines", new JsonArray().add(new JsonObject().put("productId", "product-1").put("quantity", 1)))
      .put("reservedAt", Instant.now().toString()).put("memberId", memberId).put("totalAmount", amount)
      .put("paymentMethod", method).put("orderName", "Test order"));
  }

  static EventEnvelope orderCancelRequested(String orderId) {
    return EventEnvelope.of("OrderCancelRequested", orderId, new JsonObject().put("orderId", orderId)
      .put("reason", "changed my mind").put("requestedAt", Instant.now().toString()));
  }

  static EventEnvelope deliveryFailed(String orderId) {
    return EventEnvelope.of("DeliveryFailed", orderId, new JsonObject().put("orderId", orderId)
      .put("reason", "carrier refused").put("failedAt", Instant.now().toString()));
  }

  /** Publishes {@code event} as its producing service would: key = envelope key, header {@code type}, schema-valid. */
  void publish(String topic, EventEnvelope event) {
    publishedAt.put(event.id(), harness.events().publish(topic, event));
  }

  /** payment.events of {@code orderId}, validated against their schemas. */
  List<EventEnvelope> paymentEventsOf(String orderId) {
    return harness.events().eventsOf(Topics.PAYMENT_EVENTS, orderId);
  }

  EventEnvelope awaitPaymentEvent(String orderId, String type) {
    return harness.events().awaitEvent(Topics.PAYMENT_EVENTS, orderId, type);
  }

  /**
   * Waits until the saga's consumer group acknowledged {@code event} as {@link #publish} last put it on Kafka: the
   * group's committed offset on its partition passed it, so it and every record of its key before it were handled
   * (acknowledged, or parked after its last attempt), whatever the saga keeps of a handled event.
   */
  void awaitHandled(EventEnvelope event) {
    TopicReader.awaitHandled(config.kafkaBootstrapServers(), Payments.CONSUMER, publishedAt.get(event.id()));
  }

  /** Every record on {@code topic} once the service's outbox has published everything it held ({@link TopicReader#published}). */
  List<ConsumerRecord<String, String>> published(String topic) {
    return TopicReader.published(config.kafkaBootstrapServers(), topic,
      () -> count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"));
  }

  JsonObject payment(String orderId) {
    return row("SELECT * FROM payments WHERE order_id = ?", orderId);
  }

  void awaitStatus(String orderId, String status) {
    Await.until("payment of " + orderId + " " + status, Duration.ofSeconds(60), () -> {
      JsonObject p = payment(orderId);
      return p != null && status.equals(p.getString("status"));
    });
  }

  JsonObject row(String sql, Object... params) {
    return harness.row(sql, params);
  }

  long count(String sql, Object... params) {
    return harness.count(sql, params);
  }

  static void assertProblem(HttpResponse<Buffer> res, int status) {
    ServiceHarness.assertProblem(res, status);
  }

  /**
   * A POST straight to the Toss emulator with the service's secret key, as the merchant's console or another system of
   * the merchant would send it (not through the payment service).
   */
  HttpResponse<Buffer> atToss(String path, String idempotencyKey, JsonObject body) {
    return atToss(path, idempotencyKey, body, TOSS_SECRET_KEY);
  }

  /** As {@link #atToss(String, String, JsonObject)} under the merchant of {@code secretKey}. */
  HttpResponse<Buffer> atToss(String path, String idempotencyKey, JsonObject body, String secretKey) {
    java.net.URI base = java.net.URI.create(toss.baseUrl());
    WebClient direct = WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort()));
    try {
      return Await.result(direct.post(path).basicAuthentication(secretKey, "")
        .putHeader("Idempotency-Key", idempotencyKey).sendJsonObject(body));
    } finally {
      direct.close();
    }
  }

  /** What the browser SDK does: opens a checkout session at the emulator; returns the paymentKey. */
  String openCheckout(String orderId, long amount) {
    return openCheckout(new JsonObject().put("orderId", orderId).put("amount", amount).put("orderName", "Checkout"));
  }

  /** As {@link #openCheckout(String, long)} with the sandbox's fields ({@code method}, {@code cardNumber}, ...). */
  String openCheckout(JsonObject session) {
    HttpResponse<Buffer> res = sandboxPost("/sandbox/checkout", session);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getString("paymentKey");
  }
}
