package dev.eventmall.payment;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaConfig;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.payment.api.PaymentApi;
import dev.eventmall.payment.client.TossClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.Map;

/**
 * The payment HTTP API: {@code /payments/**}, the dead-letter admin of the saga consumer ({@code /admin/dlq}, ADMIN),
 * health ({@code /health/ready}: MySQL, Kafka; the Toss breaker state is informational), metrics and OpenAPI.
 */
public final class PaymentVerticle extends VerticleBase {
  private final Config config;
  private final Metrics metrics;
  private final KafkaEventBridge.Options bridge;
  private final Payments payments;
  private final TossClient toss;
  private KafkaAdminClient admin;
  private volatile int port;

  public PaymentVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge, Payments payments,
                         TossClient toss) {
    this.config = config;
    this.metrics = metrics;
    this.bridge = bridge;
    this.payments = payments;
    this.toss = toss;
  }

  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", config.kafkaBootstrapServers()));
    return Jwt.create(vertx, config).compose(jwt -> {
      HealthChecks checks = HealthChecks.create(vertx)
        .register("mysql", 2_000, p -> payments.pool().query("SELECT 1").execute().map(Status.OK()).onComplete(p))
        .register("kafka", 3_000, p -> admin.describeCluster()
          .map(c -> c.getNodes().isEmpty() ? Status.KO() : Status.OK()).onComplete(p))
        // informational: an open breaker means Toss is failing, not that this service is unready
        .register("toss-circuit", p -> p.complete(Status.OK(new io.vertx.core.json.JsonObject()
          .put("state", toss.breakerState().name())
          .put("billingState", toss.breakerState(dev.eventmall.payment.client.TossClient.Merchant.BILLING).name()))));
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/payment.yaml")
        .build();
      HttpBootstrap.mount(root, "/payments", new PaymentApi(payments, toss, PaymentApi.Settings.of(config)).router(vertx, jwt,
        ClientRateLimit.webhooks(config, "payment-webhook")));
      new DeadLetters(vertx, bridge).mount(root, "/admin/dlq", AuthHandlers.bearer(jwt),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, config.httpPort(PaymentApp.DEFAULT_PORT))
        .onSuccess(server -> port = server.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return admin == null ? Future.succeededFuture() : admin.close(KafkaConfig.ADMIN_CLOSE_MS);
  }
}
