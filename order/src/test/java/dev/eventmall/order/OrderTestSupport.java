package dev.eventmall.order;

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
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order service deployed once per test class through {@link OrderApp#deploy} over real MariaDB (a fresh database)
 * and Kafka through {@link ServiceHarness}, undeployed after the class (so its consumer groups leave before the next
 * class joins them). Events from catalog, member, payment and delivery are published through its
 * {@link dev.eventmall.common.testing.EventProbe}, as those services would.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Needs({Infra.MYSQL, Infra.KAFKA})
abstract class OrderTestSupport {
  static final String SECRET = "order-test-secret-0123456789-0123456789-abc";

  Vertx vertx;
  Config config;
  Metrics metrics;
  ServiceHarness harness;
  ServiceDeployment deployment;
  WebClient client;
  TokenIssuer tokens;
  Pool db;
  KafkaProducer<String, String> producer;

  @BeforeAll
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    Map<String, String> env = ServiceHarness.env("orders", SECRET);
    env.put(OrderApp.HTTP_INSTANCES, "2");
    env.putAll(extraEnv());
    config = Config.of(env);
    metrics = Metrics.create("order-test");
    harness = ServiceHarness.deploy(vertx, config, c -> OrderApp.deploy(vertx, c, metrics), OrderApp.DATABASE,
      Topics.ORDER_EVENTS);
    deployment = harness.deployment();
    assertThat(deployment.httpPort()).isPositive();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployment.httpPort())), "openapi/order.yaml");
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 3600);
    db = harness.db();
    producer = harness.events().producer();
  }

  /** Settings a test class adds to the service's environment. */
  Map<String, String> extraEnv() {
    return Map.of();
  }

  @AfterAll
  void close() throws InterruptedException {
    client.close();
    harness.close();
  }

  // ---------------------------------------------------------------- identities

  String customer(String memberId) {
    return tokens.issue(memberId, List.of("CUSTOMER"));
  }

  String admin() {
    return tokens.issue(UUID.randomUUID().toString(), List.of("ADMIN"));
  }

  // ---------------------------------------------------------------- events in

  /** Publishes {@code event} as its producing service would: key = envelope key, header {@code type}, schema-valid. */
  void publish(String topic, EventEnvelope event) {
    harness.events().publish(topic, event);
  }

  /** A product in the order service's projection (published as ProductCreated, awaited in MySQL). */
  String product(String name, long price) {
    String productId = UUID.randomUUID().toString();
    String now = Instant.now().toString();
    publish(Topics.CATALOG_PRODUCTS, EventEnvelope.of("ProductCreated", productId, productPayload(productId, name,
      price, 1).put("createdAt", now).put("updatedAt", now)));
    awaitRow("product " + productId, "SELECT 1 FROM product WHERE product_id = ?", productId);
    return productId;
  }

  static JsonObject productPayload(String productId, String name, long price, long version) {
    return new JsonObject().put("productId", productId).put("sellerId", "seller-1").put("name", name)
      .put("description", "A fine " + name).put("category", "audio").put("price", price).put("stock", 100)
      .put("attributes", new JsonObject()).put("imageUrls", new JsonArray()).put("options", new JsonArray())
      .put("version", version);
  }

  /** A shipping address of {@code memberId} in the projection (published as AddressAdded, awaited in MySQL). */
  String address(String memberId) {
    String addressId = UUID.randomUUID().toString();
    publish(Topics.MEMBER_EVENTS, EventEnvelope.of("AddressAdded", memberId, new JsonObject()
      .put("memberId", memberId).put("addressId", addressId).put("recipient", "홍길동").put("phone", "010-1234-5678")
      .put("zipCode", "06236").put("line1", "서울특별시 강남구 테헤란로 152").put("line2", "12층")
      .put("isDefault", true).put("addedAt", Instant.now().toString())));
    awaitRow("address " + addressId, "SELECT 1 FROM address WHERE address_id = ?", addressId);
    return addressId;
  }

  /** A saga event about {@code orderId} (key and correlation id = order id). */
  static EventEnvelope sagaEvent(String type, String orderId, JsonObject payload) {
    return EventEnvelope.of(type, orderId, payload.put("orderId", orderId));
  }

  // ---------------------------------------------------------------- HTTP

  static JsonObject orderBody(Object addressId, String method, Object... productQty) {
    JsonArray lines = new JsonArray();
    for (int i = 0; i < productQty.length; i += 2) {
      lines.add(new JsonObject().put("productId", productQty[i]).put("quantity", productQty[i + 1]));
    }
    return new JsonObject().put("lines", lines).put("addressId", addressId).put("paymentMethod", method);
  }

  HttpResponse<Buffer> post(String path, String token, String idempotencyKey, Buffer body) {
    HttpRequest<Buffer> req = client.post(path).putHeader("Content-Type", "application/json");
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    if (idempotencyKey != null) {
      req.putHeader("Idempotency-Key", idempotencyKey);
    }
    return Await.result(body == null ? req.send() : req.sendBuffer(body));
  }

  HttpResponse<Buffer> place(String token, JsonObject body) {
    return post("/orders", token, null, body.toBuffer());
  }

  HttpResponse<Buffer> get(String path, String token) {
    return Await.result(client.get(path).bearerTokenAuthentication(token).send());
  }

  /** Places an order that must succeed; returns its JSON. */
  JsonObject placed(String token, JsonObject body) {
    HttpResponse<Buffer> res = place(token, body);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  String status(String orderId, String token) {
    return get("/orders/" + orderId, token).bodyAsJsonObject().getString("status");
  }

  void awaitStatus(String orderId, String token, String status) {
    Await.until(orderId + " in " + status, Duration.ofSeconds(60), () -> status.equals(status(orderId, token)));
  }

  // ---------------------------------------------------------------- assertions

  /** Every record on {@code topic} once the service's outbox has published everything it held ({@link TopicReader#published}). */
  List<ConsumerRecord<String, String>> published(String topic) {
    return TopicReader.published(TestInfra.kafka(), topic,
      () -> count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"));
  }

  JsonObject row(String sql, Object... params) {
    return harness.row(sql, params);
  }

  long count(String sql, Object... params) {
    return harness.count(sql, params);
  }

  void awaitRow(String what, String sql, Object... params) {
    harness.awaitRow(what, sql, params);
  }

  /** The order.events envelopes of {@code orderId}, in topic order, each validated against its schema. */
  List<EventEnvelope> orderEventsOf(String orderId) {
    return harness.events().eventsOf(Topics.ORDER_EVENTS, orderId);
  }

  List<EventEnvelope> awaitOrderEvents(String orderId, int n) {
    return harness.events().awaitEvents(Topics.ORDER_EVENTS, orderId, n);
  }

  double counter(String name, String... tags) {
    var search = metrics.registry().find(name);
    if (tags.length > 0) {
      search = search.tags(tags);
    }
    var c = search.counter();
    return c == null ? 0 : c.count();
  }

  static void assertProblem(HttpResponse<Buffer> res, int status) {
    ServiceHarness.assertProblem(res, status);
  }
}
