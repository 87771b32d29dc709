package dev.eventmall.devstack;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform as devstack runs it (every service in its own Vert.x instance, over real Kafka, MariaDB, Redis and
 * Cassandra), used only through the services' REST APIs, as a customer or seller would.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class PlatformEndToEndTest {
  @BeforeAll
  static void start() {
    E2E.platform();
  }

  static E2E.Response call(String service, String method, String path, String token, JsonObject body) {
    return E2E.call(service, method, path, token, body);
  }

  static String login(String role) {
    return E2E.member(role).token();
  }

  static JsonArray search(String query) {
    E2E.Response found = call("search", "GET", "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), null, null);
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
    E2E.Response create = call("catalog", "POST", "/products", seller, product);
    assertThat(create.status()).as(create.body()).isEqualTo(201);
    String productId = create.json().getString("productId");

    Await.until("the product is found by 무선", Duration.ofSeconds(5),
      () -> containsProduct(search("무선 " + unique), productId, "무선 이어폰 " + unique));
    long tookMs = (System.nanoTime() - created) / 1_000_000;
    System.out.printf("[e2e] created → searchable by a Korean partial word in %d ms%n", tookMs);
    assertThat(containsProduct(search("이어 " + unique), productId, null)).isTrue();

    // an update shows up
    E2E.Response update = call("catalog", "PUT", "/products/" + productId, seller,
      product.copy().put("name", "블루투스 헤드셋 " + unique).put("price", 99_000));
    assertThat(update.status()).as(update.body()).isEqualTo(200);
    Await.until("the new name is searchable", Duration.ofSeconds(5),
      () -> containsProduct(search("헤드셋 " + unique), productId, "블루투스 헤드셋 " + unique));
    assertThat(containsProduct(search("무선 " + unique), productId, null)).as("the old name is gone").isFalse();

    // another seller cannot change it
    String other = login("SELLER");
    E2E.Response foreign = call("catalog", "DELETE", "/products/" + productId, other, null);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.contentType()).startsWith("application/problem+json");

    // a delete removes it from search
    E2E.Response delete = call("catalog", "DELETE", "/products/" + productId, seller, null);
    assertThat(delete.status()).as(delete.body()).isEqualTo(204);
    Await.until("the deleted product is gone from search", Duration.ofSeconds(5),
      () -> !containsProduct(search("헤드셋 " + unique), productId, null));
    E2E.Response gone = call("catalog", "GET", "/products/" + productId, null, null);
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void everyServiceAnswersHealthAndMetrics() {
    for (String service : new String[] {"member", "catalog", "search", "order", "payment", "delivery"}) {
      E2E.Response ready = call(service, "GET", "/health/ready", null, null);
      assertThat(ready.status()).as(service + " " + ready.body()).isEqualTo(200);
      E2E.Response metrics = call(service, "GET", "/metrics", null, null);
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).as(service).contains("service=\"" + service + "\"");
    }
  }
}
