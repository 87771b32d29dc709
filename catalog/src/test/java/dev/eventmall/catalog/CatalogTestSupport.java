package dev.eventmall.catalog;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.eventmall.catalog.messaging.StockHandlers;
import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.ServiceHarness;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.cassandra.CassandraClient;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog service deployed once per test class through {@link CatalogApp#deploy} over real MariaDB, Kafka and
 * Cassandra (its own database and keyspace) by {@link ServiceHarness}, with a web client, tokens, its event probe
 * (publishing as other services do) and direct MySQL / Cassandra access for assertions on what is stored.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Needs({Infra.MYSQL, Infra.KAFKA, Infra.CASSANDRA})
abstract class CatalogTestSupport {
  static final String SECRET = "catalog-test-secret-0123456789-0123456789";

  Vertx vertx;
  Config config;
  String keyspace;
  int port;
  ServiceHarness harness;
  ServiceDeployment deployment;
  WebClient client;
  TokenIssuer tokens;
  Pool db;
  CassandraClient cassandra;
  KafkaProducer<String, String> producer;

  @BeforeAll
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    keyspace = "catalog_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Map<String, String> env = ServiceHarness.env("catalog", SECRET);
    env.put(Config.CASSANDRA_CONTACT_POINTS, TestInfra.cassandraContactPoint());
    env.put(Config.CASSANDRA_LOCAL_DC, TestInfra.cassandraLocalDc());
    env.put(CassandraProducts.KEYSPACE, keyspace);
    env.put(CassandraProducts.SCHEMA_WINDOW_MS, "10");
    env.put(CatalogApp.HTTP_INSTANCES, Integer.toString(httpInstances()));
    env.put(CatalogVerticle.REPAIR_INTERVAL_MS, "500");
    env.putAll(settings());
    config = Config.of(env);
    harness = ServiceHarness.deploy(vertx, config, c -> CatalogApp.deploy(vertx, c, Metrics.create("catalog-test")),
      CatalogApp.DATABASE);
    deployment = harness.deployment();
    port = deployment.httpPort();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(port)), "openapi/catalog.yaml");
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 3600);
    db = harness.db();
    cassandra = CassandraClient.create(vertx, CassandraProducts.options(config));
    producer = harness.events().producer();
  }

  /** Settings a test class adds or overrides (none unless it needs them, e.g. a replica's). */
  Map<String, String> settings() {
    return Map.of();
  }

  /** How many HTTP verticle instances the deployment runs (1 unless a test class needs several). */
  int httpInstances() {
    return 1;
  }

  @AfterAll
  void close() throws InterruptedException {
    client.close();
    Await.result(cassandra.close());
    // the stock bridge must leave consumer group catalog-stock now: the next test class joins it with its own database
    harness.close();
  }

  String sellerToken(String sellerId) {
    return tokens.issue(sellerId, List.of("SELLER"));
  }

  static JsonObject product(String name, String category, long price, int stock) {
    return new JsonObject().put("name", name).put("description", "A fine " + name).put("category", category)
      .put("price", price).put("stock", stock)
      .put("attributes", new JsonObject().put("color", "red").put("material", "cotton"))
      .put("imageUrls", new io.vertx.core.json.JsonArray().add("https://img.eventmall.dev/" + name.replace(' ', '-') + ".jpg"))
      .put("options", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "size")
        .put("values", new io.vertx.core.json.JsonArray().add("S").add("M"))));
  }

  HttpResponse<Buffer> create(String token, JsonObject body) {
    return Await.result(client.post("/products").bearerTokenAuthentication(token).sendJsonObject(body));
  }

  /** Creates a product as {@code sellerId} and returns its id. */
  String createProduct(String sellerId, JsonObject body) {
    HttpResponse<Buffer> res = create(sellerToken(sellerId), body);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getString("productId");
  }

  /** A product of a seller of its own with {@code stock} units available. */
  String productWithStock(int stock) {
    return createProduct("seller-stock-" + UUID.randomUUID(),
      product("Limited " + UUID.randomUUID(), "limited", 12_000, stock));
  }

  /** Its seller sets the product's available stock to {@code stock} (a {@code PUT} of the product). */
  void restock(String productId, int stock) {
    String seller = row("SELECT seller_id FROM product WHERE product_id = ?", productId).getString("seller_id");
    HttpResponse<Buffer> res = Await.result(client.put("/products/" + productId)
      .bearerTokenAuthentication(sellerToken(seller))
      .sendJsonObject(product("Limited " + productId, "limited", 12_000, stock)));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
  }

  /** The product's stock row: {@code available}, {@code reserved}. */
  JsonObject stock(String productId) {
    return row("SELECT available, reserved FROM stock WHERE product_id = ?", productId);
  }

  /** An OrderPlaced as the order service publishes it (BILLING, 1,000 KRW). */
  static EventEnvelope orderPlaced(String orderId, JsonArray lines) {
    return EventEnvelope.of("OrderPlaced", orderId, new JsonObject()
      .put("orderId", orderId).put("memberId", "member-" + orderId).put("lines", lines).put("totalAmount", 1_000)
      .put("paymentMethod", "BILLING").put("placedAt", Instant.now().toString()));
  }

  /** One order line of {@code quantity} units of the product. */
  static JsonArray line(String productId, int quantity) {
    return new JsonArray().add(new JsonObject().put("productId", productId).put("quantity", quantity)
      .put("unitPrice", 1_000));
  }

  HttpResponse<Buffer> get(String path) {
    return Await.result(client.get(path).send());
  }

  /** Every record on {@code topic} once the service's outbox has published everything it held ({@link TopicReader#published}). */
  List<ConsumerRecord<String, String>> published(String topic) {
    return TopicReader.published(TestInfra.kafka(), topic,
      () -> row("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL").getLong("n"));
  }

  /** One MySQL row as JSON (null when absent). */

  JsonObject row(String sql, Object... params) {
    return harness.row(sql, params);
  }

  /** One Cassandra row of {@code table} in the test keyspace (null when absent). */
  Row cassandraRow(String table, String where, Object... params) {
    List<Row> rows = Await.result(cassandra.executeWithFullFetch(
      SimpleStatement.newInstance("SELECT * FROM " + keyspace + "." + table + " WHERE " + where, params)));
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Publishes {@code event} on {@code topic} as its producing service would (key = envelope key); where it went. */
  RecordMetadata publish(String topic, EventEnvelope event) {
    return harness.events().publish(topic, event);
  }

  /**
   * Waits until consumer group {@value StockHandlers#CONSUMER} committed past {@code record}: it and everything before
   * it in its partition were handled (whether or not that left a trace: a duplicate leaves none).
   */
  void awaitStockHandled(RecordMetadata record) {
    TopicReader.awaitHandled(TestInfra.kafka(), StockHandlers.CONSUMER, record);
  }

  static void assertProblem(HttpResponse<Buffer> res, int status) {
    ServiceHarness.assertProblem(res, status);
  }
}
