package dev.eventmall.delivery;

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
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.carrier.CarrierEmulator;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The delivery service deployed once per test class through {@link DeliveryApp#deploy} over real MariaDB and Kafka,
 * through {@link ServiceHarness}, with the carrier emulator in-process on port 0, its event probe (publishing as order
 * and payment do, reading delivery.events) and direct MySQL access for assertions. Undeployed after the class so the
 * next class owns the consumer group {@code delivery-saga}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Needs({Infra.MYSQL, Infra.KAFKA})
abstract class DeliveryTestSupport {
  static final String SECRET = "delivery-test-secret-0123456789-0123456789";

  Vertx vertx;
  CarrierEmulator carrier;
  Config config;
  ServiceHarness harness;
  ServiceDeployment deployment;
  int port;
  WebClient client;
  TokenIssuer tokens;
  Pool db;
  TopicReader deliveryEvents;

  /** The carrier emulator's settings for this class. */
  abstract CarrierConfig carrierConfig();

  /** Delivery settings of this class on top of the common test ones. */
  abstract Map<String, String> settings();

  @BeforeAll
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    carrier = Await.result(CarrierEmulator.start(vertx, carrierConfig()));
    Map<String, String> env = ServiceHarness.env("delivery", SECRET);
    env.put(Config.CARRIER_BASE_URL, carrier.baseUrl());
    env.put(DeliveryApp.HTTP_INSTANCES, "1");
    env.put(DeliverySettings.CARRIER_TIMEOUT_MS, "2000");
    env.put(DeliverySettings.DISPATCH_INTERVAL_MS, "100");
    env.put(DeliverySettings.CARRIER_RETRY_INITIAL_MS, "100");
    env.put(DeliverySettings.CARRIER_RETRY_MAX_MS, "400");
    env.put(DeliverySettings.CARRIER_MAX_ATTEMPTS, "8");
    env.put(DeliverySettings.BREAKER_MAX_FAILURES, "5");
    env.put(DeliverySettings.BREAKER_RESET_MS, "500");
    env.putAll(settings());
    config = Config.of(env);
    harness = ServiceHarness.deploy(vertx, config, c -> DeliveryApp.deploy(vertx, c, Metrics.create("delivery-test")),
      DeliveryApp.DATABASE, Topics.DELIVERY_EVENTS);
    deployment = harness.deployment();
    port = deployment.httpPort();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(port)), "openapi/delivery.yaml");
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 3600);
    db = harness.db();
    deliveryEvents = harness.events().reader(Topics.DELIVERY_EVENTS);
  }

  @AfterAll
  void close() throws InterruptedException {
    client.close();
    // the bridge must leave consumer group delivery-saga now: the next test class joins it with its own database
    harness.close();
    Await.result(carrier.close());
  }

  // ---------------------------------------------------------------- events in

  static String newOrderId() {
    return "ord-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  static String memberOf(String orderId) {
    return "member-" + orderId;
  }

  static EventEnvelope orderPlaced(String orderId, String zipCode) {
    return EventEnvelope.of("OrderPlaced", orderId, new JsonObject()
      .put("orderId", orderId).put("memberId", memberOf(orderId))
      .put("lines", new JsonArray().add(new JsonObject().put("productId", "prod-1").put("quantity", 2).put("unitPrice", 5_000)))
      .put("totalAmount", 10_000).put("paymentMethod", "BILLING").put("placedAt", Instant.now().toString())
      .put("orderName", "Cotton T-shirt x2")
      .put("shippingAddress", new JsonObject().put("addressId", "addr-1").put("recipient", "Kim Minsu")
        .put("phone", "010-1234-5678").put("zipCode", zipCode).put("line1", "123 Teheran-ro, Gangnam-gu")
        .put("line2", "Apt 501")));
  }

  static EventEnvelope paymentCompleted(String orderId) {
    return EventEnvelope.of("PaymentCompleted", orderId, new JsonObject()
      .put("orderId", orderId).put("paymentId", "pay-" + orderId).put("paymentKey", "pk_" + orderId).put("amount", 10_000)
      .put("method", "BILLING").put("approvedAt", Instant.now().toString()));
  }

  static EventEnvelope cancelRequested(String orderId) {
    return EventEnvelope.of("OrderCancelRequested", orderId, new JsonObject()
      .put("orderId", orderId).put("reason", "changed my mind").put("requestedAt", Instant.now().toString()));
  }

  /**
   * Publishes {@code event} as its producing service would: key = orderId, header type, schema-valid. Answers where it
   * was written.
   */
  RecordMetadata publish(String topic, EventEnvelope event) {
    return harness.events().publish(topic, event);
  }

  /** Waits until the saga's consumer group handled {@code record} (committed past it). */
  void awaitHandled(RecordMetadata record) {
    TopicReader.awaitHandled(config.kafkaBootstrapServers(), DeliveryEvents.SAGA.group(), record);
  }

  /** OrderPlaced then PaymentCompleted. */
  void placeAndPay(String orderId, String zipCode) {
    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, zipCode));
    publish(Topics.PAYMENT_EVENTS, paymentCompleted(orderId));
  }

  // ---------------------------------------------------------------- events out

  /** The delivery.events of an order, oldest first, each validated against its schema. */
  List<EventEnvelope> eventsOf(String orderId) {
    return harness.events().eventsOf(Topics.DELIVERY_EVENTS, orderId);
  }

  List<EventEnvelope> eventsOf(String orderId, String type) {
    return harness.events().eventsOf(Topics.DELIVERY_EVENTS, orderId, type);
  }

  EventEnvelope awaitEvent(String orderId, String type) {
    return harness.events().awaitEvent(Topics.DELIVERY_EVENTS, orderId, type);
  }

  /** Every record on {@code topic} once the service's outbox has published everything it held ({@link TopicReader#published}). */
  List<ConsumerRecord<String, String>> published(String topic) {
    return TopicReader.published(config.kafkaBootstrapServers(), topic,
      () -> harness.count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"));
  }

  // ---------------------------------------------------------------- state

  JsonObject row(String sql, Object... params) {
    return harness.row(sql, params);
  }

  JsonObject shipment(String orderId) {
    return row("SELECT * FROM shipment WHERE order_id = ?", orderId);
  }

  String customerToken(String memberId) {
    return tokens.issue(memberId, List.of("CUSTOMER"));
  }

  String adminToken() {
    return tokens.issue("admin-1", List.of("ADMIN"));
  }

  HttpResponse<Buffer> getDelivery(String orderId, String token) {
    var request = client.get("/deliveries/" + orderId);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return Await.result(request.send());
  }

  HttpResponse<Buffer> webhook(JsonObject body) {
    return Await.result(client.post("/deliveries/webhooks/carrier").sendJsonObject(body));
  }

  String metrics() {
    return Await.result(client.get("/metrics").send()).bodyAsString();
  }

  static void assertProblem(HttpResponse<Buffer> res, int status) {
    ServiceHarness.assertProblem(res, status);
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
