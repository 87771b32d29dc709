package dev.eventmall.payment;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.payment.api.PaymentApi;
import dev.eventmall.payment.client.TossClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;

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
  private Readiness readiness;
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
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, "openapi/payment.yaml")).compose(both -> {
      JWTAuth jwt = both.resultAt(0);
      readiness = Readiness.create(vertx).mysql(payments.pool()).kafka(config.kafkaBootstrapServers())
        // informational: an open breaker means Toss is failing, not that this service is unready
        .info("toss-circuit", () -> new io.vertx.core.json.JsonObject()
          .put("state", toss.breakerState().name())
          .put("billingState", toss.breakerState(dev.eventmall.payment.client.TossClient.Merchant.BILLING).name()));
      HealthChecks checks = readiness.checks();
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/payment.yaml")
        .build();
      new PaymentApi(payments, toss, PaymentApi.Settings.of(config)).routes(both.resultAt(1), jwt,
        ClientRateLimit.webhooks(config, "payment-webhook")).mount(root);
      new DeadLetters(vertx, bridge).mount(root, "/admin/dlq", AuthHandlers.bearer(jwt),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, config.httpPort(PaymentApp.DEFAULT_PORT))
        .onSuccess(server -> port = server.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
