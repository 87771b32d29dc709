package dev.eventmall.delivery;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.delivery.api.DeliveryApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/**
 * The delivery HTTP API: {@code /deliveries}, the dead-letter admin of the saga consumer ({@code /admin/dlq}, ADMIN),
 * health ({@code /health/ready}: MySQL, Kafka), metrics and OpenAPI.
 */
public final class DeliveryVerticle extends VerticleBase {
  private final Config config;
  private final Metrics metrics;
  private final KafkaEventBridge.Options bridge;
  private Readiness readiness;
  private volatile int port;

  public DeliveryVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge) {
    this.config = config;
    this.metrics = metrics;
    this.bridge = bridge;
  }

  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, config.mysqlUri(DeliveryApp.DATABASE), "delivery", 10);
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, "openapi/delivery.yaml")).compose(both -> {
      JWTAuth jwt = both.resultAt(0);
      readiness = Readiness.create(vertx).mysql(pool).kafka(config.kafkaBootstrapServers());
      HealthChecks checks = readiness.checks();
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/delivery.yaml")
        .build();
      new DeliveryApi(vertx, pool, ReadPools.create(vertx, config, DeliveryApp.DATABASE, pool, "delivery", 10))
        .routes(both.resultAt(1), jwt, ClientRateLimit.webhooks(config, "delivery-webhook")).mount(root);
      new DeadLetters(vertx, bridge).mount(root, "/admin/dlq", AuthHandlers.bearer(jwt),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, config.httpPort(DeliveryApp.DEFAULT_PORT))
        .onSuccess(server -> port = server.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
