package dev.eventmall.devstack;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform as devstack runs it (every service in its own Vert.x instance, over real Kafka, MariaDB, Redis and
 * Cassandra), used only through the services' REST APIs, as a customer or seller would.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class PlatformEndToEndTest {
  static Platform platform;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    platform = Platform.start(Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", TestInfra.kafka(),
      "MYSQL_URI", TestInfra.mysqlUri(),
      "REDIS_URL", TestInfra.redisUrl(),
      "CASSANDRA_CONTACT_POINTS", TestInfra.cassandraContactPoint(),
      "CASSANDRA_LOCAL_DC", TestInfra.cassandraLocalDc(),
      "CASSANDRA_SCHEMA_WINDOW_MS", "10"), false);
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  record Response(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Response call(String service, String method, String path, String token, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + platform.ports().get(service) + path))
      .timeout(Duration.ofSeconds(15))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
        response.body());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  /** Signs up a member of {@code role} and returns its access token. */
  static String login(String role) {
    String email = role.toLowerCase() + "-" + UUID.randomUUID() + "@example.com";
    String password = "pass-" + UUID.randomUUID();
    Response signUp = call("member", "POST", "/members", null, new JsonObject()
      .put("email", email).put("password", password).put("name", "E2E " + role).put("role", role));
    assertThat(signUp.status()).as(signUp.body()).isEqualTo(201);
    Response login = call("member", "POST", "/auth/login", null,
      new JsonObject().put("email", email).put("password", password));
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    return login.json().getString("accessToken");
  }

  static JsonArray search(String query) {
    Response found = call("search", "GET", "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), null, null);
    assertThat(found.status()).as(found.body()).isEqualTo(200);
    return found.json().getJsonArray("items");
  }

  static boolean containsProduct(JsonArray items, String productId, String name) {
    return items.stream().map(JsonObject.class::cast)
      .anyMatch(i -> productId.equals(i.getString("productId")) && (name == null || name.equals(i.getString("name"))));
  }

  @Test
  void aProductASellerCreatesOverRestIsFoundByAKoreanPartialWordWithinFiveSecondsAndItsChangesFollow() {
    String seller = login("SELLER");
    String unique = "e2e" + Long.toHexString(UUID.randomUUID().getMostSignificantBits()).substring(0, 8);
    JsonObject product = new JsonObject()
      .put("name", "무선 이어폰 " + unique).put("description", "노이즈 캔슬링 " + unique).put("category", "audio")
      .put("price", 129_000).put("stock", 50).put("attributes", new JsonObject().put("color", "black"))
      .put("imageUrls", new JsonArray().add("https://img.example.com/" + unique + ".jpg"))
      .put("options", new JsonArray());

    long created = System.nanoTime();
    Response create = call("catalog", "POST", "/products", seller, product);
    assertThat(create.status()).as(create.body()).isEqualTo(201);
    String productId = create.json().getString("productId");

    Await.until("the product is found by 무선", Duration.ofSeconds(5),
      () -> containsProduct(search("무선 " + unique), productId, "무선 이어폰 " + unique));
    long tookMs = (System.nanoTime() - created) / 1_000_000;
    System.out.printf("[e2e] created → searchable by a Korean partial word in %d ms%n", tookMs);
    assertThat(containsProduct(search("이어 " + unique), productId, null)).isTrue();

    // an update shows up
    Response update = call("catalog", "PUT", "/products/" + productId, seller,
      product.copy().put("name", "블루투스 헤드셋 " + unique).put("price", 99_000));
    assertThat(update.status()).as(update.body()).isEqualTo(200);
    Await.until("the new name is searchable", Duration.ofSeconds(5),
      () -> containsProduct(search("헤드셋 " + unique), productId, "블루투스 헤드셋 " + unique));
    assertThat(containsProduct(search("무선 " + unique), productId, null)).as("the old name is gone").isFalse();

    // another seller cannot change it
    String other = login("SELLER");
    Response foreign = call("catalog", "DELETE", "/products/" + productId, other, null);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.contentType()).startsWith("application/problem+json");

    // a delete removes it from search
    Response delete = call("catalog", "DELETE", "/products/" + productId, seller, null);
    assertThat(delete.status()).as(delete.body()).isEqualTo(204);
    Await.until("the deleted product is gone from search", Duration.ofSeconds(5),
      () -> !containsProduct(search("헤드셋 " + unique), productId, null));
    Response gone = call("catalog", "GET", "/products/" + productId, null, null);
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void everyServiceAnswersHealthAndMetrics() {
    for (String service : new String[] {"member", "catalog", "search"}) {
      Response ready = call(service, "GET", "/health/ready", null, null);
      assertThat(ready.status()).as(service + " " + ready.body()).isEqualTo(200);
      Response metrics = call(service, "GET", "/metrics", null, null);
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).as(service).contains("service=\"" + service + "\"");
    }
  }
}
