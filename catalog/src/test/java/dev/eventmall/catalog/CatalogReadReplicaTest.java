package dev.eventmall.catalog;

import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ReplicaSet;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catalog over a real MariaDB primary and a real GTID replica of it ({@code MYSQL_READ_URI}, {@link ReplicaSet}):
 * product pages and listings read price and stock on the replica; a client that echoes its write's
 * {@value ReadPools#TOKEN_HEADER} never reads older than its write; the replica's lag is on {@code /metrics}.
 */
class CatalogReadReplicaTest extends CatalogTestSupport {
  /** Started before the service is deployed on it, stopped after it is undeployed. */
  @RegisterExtension
  static final ReplicaSet REPLICAS = new ReplicaSet();

  @Override
  Map<String, String> settings() {
    // product pages cache documents, not price and stock: each read asks MySQL, so a cache cannot hide where it reads
    return REPLICAS.env();
  }

  @Test
  void readsComeFromTheReplicaAndNeverBeforeTheClientsOwnWrite() {
    REPLICAS.connect(vertx, "catalog");
    String seller = sellerToken("seller-r1");
    HttpResponse<Buffer> created = Await.result(client.post("/products").bearerTokenAuthentication(seller)
      .sendJsonObject(product(1_000)));
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("productId");
    String createdToken = created.getHeader(ReadPools.TOKEN_HEADER);
    assertThat(createdToken).as("a write answers with the primary's GTID position").matches("\\d+-\\d+-\\d+.*");

    // right after its own POST the client's page is there (from the replica once caught up, or else the primary)
    HttpResponse<Buffer> own = page(id, createdToken);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.bodyAsJsonObject().getLong("price")).isEqualTo(1_000);
    Await.until("replica serves the product", Duration.ofSeconds(20), () -> page(id, null).statusCode() == 200);

    // replication stopped: what the replica serves is provably the replica's, not the primary's
    REPLICAS.stopReplication();
    HttpResponse<Buffer> updated = Await.result(client.put("/products/" + id).bearerTokenAuthentication(seller)
      .sendJsonObject(product(2_000)));
    assertThat(updated.statusCode()).isEqualTo(200);
    String updateToken = updated.getHeader(ReadPools.TOKEN_HEADER);
    assertThat(updateToken).isNotNull().isNotEqualTo(createdToken);

    HttpResponse<Buffer> anyone = page(id, null);
    assertThat(anyone.statusCode()).isEqualTo(200);
    assertThat(anyone.bodyAsJsonObject().getLong("price")).as("a read without a token: the replica's value").isEqualTo(1_000);
    assertThat(listedPrice(id, null)).as("listing without a token: the replica's value").isEqualTo(1_000);

    HttpResponse<Buffer> mine = page(id, updateToken);
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(mine.bodyAsJsonObject().getLong("price")).as("the writer's own read: never older than its write")
      .isEqualTo(2_000);
    assertThat(listedPrice(id, updateToken)).isEqualTo(2_000);

    HttpResponse<Buffer> malformed = page(id, "not-a-gtid");
    assertProblem(malformed, 400);

    // the metric says replication is not running while it is stopped
    Await.until("replica reported stopped", Duration.ofSeconds(10),
      () -> metric("eventmall_mysql_replica_running") == 0.0);

    REPLICAS.startReplication();
    Await.until("replica catches up and serves the new price", Duration.ofSeconds(20),
      () -> page(id, null).bodyAsJsonObject().getLong("price") == 2_000);
    assertThat(listedPrice(id, null)).isEqualTo(2_000);

    Await.until("replica reported running with its lag", Duration.ofSeconds(10),
      () -> metric("eventmall_mysql_replica_running") == 1.0);
    double lag = metric("eventmall_mysql_replica_lag_seconds");
    assertThat(lag).as("caught-up replica's lag").isBetween(0.0, 5.0);

    // the replica goes down: reads fall back to the primary instead of failing, and the metric says it is down
    REPLICAS.replica().stop();
    HttpResponse<Buffer> withoutReplica = page(id, null);
    assertThat(withoutReplica.statusCode()).as(withoutReplica.bodyAsString()).isEqualTo(200);
    assertThat(withoutReplica.bodyAsJsonObject().getLong("price")).isEqualTo(2_000);
    assertThat(listedPrice(id, null)).isEqualTo(2_000);
    assertThat(page(id, updateToken).statusCode()).isEqualTo(200);
    Await.until("replica reported down", Duration.ofSeconds(10),
      () -> metric("eventmall_mysql_replica_running") == 0.0);
  }

  private HttpResponse<Buffer> page(String id, String token) {
    var request = client.get("/products/" + id);
    if (token != null) {
      request.putHeader(ReadPools.TOKEN_HEADER, token);
    }
    return Await.result(request.send());
  }

  private long listedPrice(String id, String token) {
    var request = client.get("/products?category=replica-tests&size=50");
    if (token != null) {
      request.putHeader(ReadPools.TOKEN_HEADER, token);
    }
    HttpResponse<Buffer> res = Await.result(request.send());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
      .filter(p -> p.getString("productId").equals(id)).findFirst().orElseThrow().getLong("price");
  }

  /** A gauge of database {@code catalog} as /metrics shows it; NaN when absent. */
  private double metric(String name) {
    String body = get("/metrics").bodyAsString();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*database=\"catalog\"[^}]*\\} (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static JsonObject product(long price) {
    return new JsonObject().put("name", "Replica umbrella").put("description", "Read where it was written")
      .put("category", "replica-tests").put("price", price).put("stock", 7)
      .put("attributes", new JsonObject().put("color", "blue"))
      .put("imageUrls", new io.vertx.core.json.JsonArray().add("https://img.eventmall.dev/replica-umbrella.jpg"))
      .put("options", new io.vertx.core.json.JsonArray());
  }
}
