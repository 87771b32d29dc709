package dev.eventmall.delivery;

import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.delivery.api.DeliveryApi;
import io.vertx.sqlclient.Pool;

/**
 * The delivery HTTP API: {@code /deliveries}, the dead-letter admin of the saga consumer ({@code /admin/dlq}, ADMIN),
 * health ({@code /health/ready}: MySQL, Kafka), metrics and OpenAPI.
 */
public final class DeliveryVerticle extends ServiceHttpVerticle {
  private final KafkaEventBridge.Options bridge;

  public DeliveryVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge) {
    super(config, metrics, "openapi/delivery.yaml", config.httpPort(DeliveryApp.DEFAULT_PORT));
    this.bridge = bridge;
  }

  @Override
  protected void routes(Http http) {
    Pool pool = Database.pool(vertx, config.mysqlUri(DeliveryApp.DATABASE), "delivery", 10);
    http.readiness().mysql(pool).kafka(config.kafkaBootstrapServers());
    new DeliveryApi(vertx, pool, ReadPools.create(vertx, config, DeliveryApp.DATABASE, pool, "delivery", 10))
      .routes(http.contract(), http.jwt(), ClientRateLimit.webhooks(config, "delivery-webhook")).mount(http.root());
    deadLetters(http, "/admin/dlq", bridge);
  }
}
