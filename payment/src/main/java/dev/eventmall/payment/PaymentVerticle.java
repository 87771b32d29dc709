package dev.eventmall.payment;

import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.payment.api.PaymentApi;
import dev.eventmall.payment.client.TossClient;
import io.vertx.core.json.JsonObject;

/**
 * The payment HTTP API: {@code /payments/**}, the dead-letter admin of the saga consumer ({@code /admin/dlq}, ADMIN),
 * health ({@code /health/ready}: MySQL, Kafka; the Toss breaker state is informational), metrics and OpenAPI.
 */
public final class PaymentVerticle extends ServiceHttpVerticle {
  private final KafkaEventBridge.Options bridge;
  private final Payments payments;
  private final TossClient toss;

  public PaymentVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge, Payments payments,
                         TossClient toss) {
    super(config, metrics, "openapi/payment.yaml", config.httpPort(PaymentApp.DEFAULT_PORT));
    this.bridge = bridge;
    this.payments = payments;
    this.toss = toss;
  }

  @Override
  protected void routes(Http http) {
    http.readiness().mysql(payments.pool()).kafka(config.kafkaBootstrapServers())
      // informational: an open breaker means Toss is failing, not that this service is unready
      .info("toss-circuit", () -> new JsonObject()
        .put("state", toss.breakerState().name())
        .put("billingState", toss.breakerState(TossClient.Merchant.BILLING).name()));
    new PaymentApi(payments, toss, PaymentApi.Settings.of(config)).routes(http.contract(), http.jwt(),
      ClientRateLimit.webhooks(config, "payment-webhook")).mount(http.root());
    deadLetters(http, "/admin/dlq", bridge);
  }
}
