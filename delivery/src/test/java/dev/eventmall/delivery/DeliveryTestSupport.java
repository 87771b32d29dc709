package dev.eventmall.delivery;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
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
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery service deployed once per test class through {@link DeliveryApp#deploy} over real MariaDB and Kafka,
 * with the carrier emulator in-process on port 0, a plain Kafka producer (as order and payment publish), a reader of
 * delivery.events and direct MySQL access for assertions. Undeployed after the class so the next class owns the
 * consumer group {@code delivery-saga}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Needs({Infra.MYSQL, Infra.KAFKA})
abstract class DeliveryTestSupport {
  static final String SECRET = "delivery-test-secret-0123456789-0123456789";

  Vertx vertx;
  CarrierEmulator carrier;
  Config config;
  ServiceDeployment deployment;
  int port;
  WebClient client;
  TokenIssuer tokens;
  Pool db;
  KafkaProducer<String, String> producer;
  TopicReader deliveryEvents;

  /** The carrier emulator's settings for this class. */
  abstract CarrierConfig carrierConfig();

  /** Delivery settings of this class on top of the common test ones. */
  abstract Map<String, String> settings();

  @BeforeAll
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    carrier = Await.result(CarrierEmulator.start(vertx, carrierConfig()));
    Map<String, String> env = new HashMap<>();
    env.put(Config.HTTP_PORT, "0");
    env.put(Config.MYSQL_URI, TestInfra.freshDatabase("delivery"));
    env.put(Config.KAFKA_BOOTSTRAP_SERVERS, TestInfra.kafka());
    env.put(Config.JWT_SECRET, SECRET);
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
    deployment = Await.result(DeliveryApp.deploy(vertx, config, Metrics.create("delivery-test")), Duration.ofSeconds(120));
    port = deployment.httpPort();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(port)), "openapi/delivery.yaml");
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 3600);
    db = Database.pool(vertx, config.mysqlUri(DeliveryApp.DATABASE), "delivery-test-assertions-" + UUID.randomUUID(), 2);
    Properties props = new Properties();
    props.put("bootstrap.servers", TestInfra.kafka());
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(props);
    deliveryEvents = new TopicReader(TestInfra.kafka(), Topics.DELIVERY_EVENTS);
  }

  @AfterAll
  void close() throws InterruptedException {
    deliveryEvents.close();
    producer.close();
    client.close();
    Await.result(db.close());
    // the bridge must leave consumer group delivery-saga now: the next test class joins it with its own database
    Await.shutDown(deployment.undeploy(vertx));
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

  /** Publishes {@code event} as its producing service would: key = orderId, header type, schema-valid. */
  void publish(String topic, EventEnvelope event) {
    EventSchemas.validate(event);
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.key(), event.toJson().encode());
    record.headers().add(new RecordHeader("type", event.type().getBytes(StandardCharsets.UTF_8)));
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** OrderPlaced then PaymentCompleted. */
  void placeAndPay(String orderId, String zipCode) {
    publish(Topics.ORDER_EVENTS, orderPlaced(orderId, zipCode));
    publish(Topics.PAYMENT_EVENTS, paymentCompleted(orderId));
  }

  // ---------------------------------------------------------------- events out

  /** The delivery.events of an order, oldest first, each validated against its schema. */
  List<EventEnvelope> eventsOf(String orderId) {
    List<EventEnvelope> events = deliveryEvents.records().stream().filter(r -> orderId.equals(r.key()))
      .map(r -> EventEnvelope.fromJson(new JsonObject(r.value()))).toList();
    events.forEach(EventSchemas::validate);
    return events;
  }

  List<EventEnvelope> eventsOf(String orderId, String type) {
    return eventsOf(orderId).stream().filter(e -> e.type().equals(type)).toList();
  }

  EventEnvelope awaitEvent(String orderId, String type) {
    Await.until(type + " of " + orderId, Duration.ofSeconds(60), () -> !eventsOf(orderId, type).isEmpty());
    return eventsOf(orderId, type).get(0);
  }

  // ---------------------------------------------------------------- state

  JsonObject row(String sql, Object... params) {
    var rows = Await.result(db.preparedQuery(sql).execute(Tuple.wrap(params)));
    return rows.size() == 0 ? null : rows.iterator().next().toJson();
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
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(status);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(res.bodyAsJsonObject().getInteger("status")).isEqualTo(status);
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
