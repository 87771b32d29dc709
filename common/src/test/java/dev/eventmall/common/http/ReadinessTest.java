package dev.eventmall.common.http;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /health/ready} built with {@link Readiness} over a real MariaDB and a real Kafka broker: UP with every check
 * UP, 503 as soon as one check is down (a store that cannot be reached, a probe that fails or does not answer in time),
 * informational checks never make it unready.
 */
@ExtendWith(VertxExtension.class)
@Needs({Infra.MYSQL, Infra.KAFKA})
class ReadinessTest {
  private Readiness readiness;
  private HttpServer server;
  private WebClient client;
  private Pool pool;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    Await.result(Future.join(server == null ? Future.succeededFuture() : server.close(),
      readiness == null ? Future.succeededFuture() : readiness.close(),
      pool == null ? Future.succeededFuture() : pool.close()));
  }

  @Test
  void readyWhenTheDatabaseKafkaAndEveryProbeAnswer(Vertx vertx) {
    pool = Database.pool(vertx, TestInfra.freshDatabase("readiness"), "readiness-test", 2);
    AtomicBoolean cacheUp = new AtomicBoolean(true);
    readiness = Readiness.create(vertx)
      .mysql(pool)
      .kafka(TestInfra.kafka())
      .check("cache", () -> cacheUp.get() ? Future.succeededFuture() : Future.failedFuture("cache down"))
      .info("breaker", () -> new JsonObject().put("state", "OPEN"));

    HttpResponse<Buffer> ready = ready(vertx);
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP").put("checks",
      new JsonObject().put("mysql", "UP").put("kafka", "UP").put("cache", "UP").put("breaker", "UP")));

    cacheUp.set(false);
    HttpResponse<Buffer> unready = ready(vertx);
    assertThat(unready.statusCode()).isEqualTo(503);
    assertThat(unready.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
    assertThat(unready.bodyAsJsonObject().getJsonObject("checks").getString("cache")).isEqualTo("DOWN");
    assertThat(unready.bodyAsJsonObject().getJsonObject("checks").getString("mysql")).isEqualTo("UP");
  }

  @Test
  void downWhenKafkaCannotBeReachedOrAProbeHangs(Vertx vertx) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    readiness = Readiness.create(vertx)
      .kafka("127.0.0.1:" + closedPort)
      .check("slow", 200, () -> Promise.promise().future());

    long before = System.nanoTime();
    HttpResponse<Buffer> unready = ready(vertx);
    assertThat(unready.statusCode()).isEqualTo(503);
    assertThat(unready.bodyAsJsonObject().getJsonObject("checks"))
      .isEqualTo(new JsonObject().put("kafka", "DOWN").put("slow", "DOWN"));
    assertThat((System.nanoTime() - before) / 1_000_000).as("bounded by the Kafka check's timeout, ms")
      .isLessThan(Readiness.KAFKA_TIMEOUT_MS + 2_000);
  }

  private HttpResponse<Buffer> ready(Vertx vertx) {
    if (server == null) {
      server = Await.result(HttpBootstrap.listen(vertx,
        HttpBootstrap.builder(vertx).healthChecks(readiness.checks()).build(), 0));
      client = WebClient.create(vertx);
    }
    return Await.result(client.get(server.actualPort(), "127.0.0.1", "/health/ready").send());
  }
}
