package dev.eventmall.payment;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.RetryPolicy;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.persistence.AttemptLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.List;

/**
 * Wires the payment service: migrates MySQL {@code payment}, ensures its topics (with dead-letter topics), creates the
 * Toss client (one circuit breaker for the whole service), then deploys the outbox relay, the saga handlers
 * ({@link PaymentEvents}), the Kafka bridge of group {@code payment-saga} and the HTTP verticle. The deployment shares
 * its {@link TossClient} and {@link Payments} with the tests ({@link ServiceDeployment#part}).
 */
public final class PaymentApp {
  public static final String DATABASE = "payment";
  public static final int DEFAULT_PORT = 8082;
  /** {@code PAYMENT_HTTP_INSTANCES}: HTTP verticle instances, default 1. */
  public static final String HTTP_INSTANCES = "PAYMENT_HTTP_INSTANCES";
  /** {@code PAYMENT_RECOVERY_INTERVAL_MS}: how often unresolved CHARGING/REFUNDING rows are looked at (0 = start only). */
  public static final String RECOVERY_INTERVAL_MS = "PAYMENT_RECOVERY_INTERVAL_MS";
  /** {@code PAYMENT_RECOVERY_AGE_MS}: how old an unresolved row must be before the periodic recovery takes it. */
  public static final String RECOVERY_AGE_MS = "PAYMENT_RECOVERY_AGE_MS";
  /**
   * {@code PAYMENT_UNRESOLVED_AFTER_MS}: how long a charge may stay CHARGING with an unknown outcome before the recovery
   * gives it its terminal outcome from what Toss says then (default one day; 0 = never).
   */
  public static final String UNRESOLVED_AFTER_MS = "PAYMENT_UNRESOLVED_AFTER_MS";
  /** {@code PAYMENT_HANDLER_TIMEOUT_MS}: how long one saga handler (Toss retries included) may take, default 120 s. */
  public static final String HANDLER_TIMEOUT_MS = "PAYMENT_HANDLER_TIMEOUT_MS";
  /** {@code PAYMENT_EVENT_RETRIES}: attempts of a failing event before it is parked, default 8. */
  public static final String EVENT_RETRIES = "PAYMENT_EVENT_RETRIES";

  private PaymentApp() {
  }

  /** The saga consumer's bridge options (group {@code payment-saga}). */
  public static KafkaEventBridge.Options bridgeOptions(Config config) {
    return new KafkaEventBridge.Options(config.kafkaBootstrapServers(), PaymentEvents.SAGA.group(),
      PaymentEvents.SAGA.topics(),
      new RetryPolicy(Math.max(1, config.getInt(EVENT_RETRIES, 8)), Duration.ofMillis(500), Duration.ofSeconds(15)),
      Duration.ofMillis(config.getLong(HANDLER_TIMEOUT_MS, 120_000)), 100);
  }

  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      String mysqlUri = config.mysqlUri(DATABASE);
      KafkaEventBridge.Options bridge = bridgeOptions(config);
      int instances = Math.max(1, config.getInt(HTTP_INSTANCES, 1));
      Duration interval = Duration.ofMillis(config.getLong(RECOVERY_INTERVAL_MS, 30_000));
      Duration age = Duration.ofMillis(config.getLong(RECOVERY_AGE_MS, 60_000));
      long unresolvedAfterMs = config.getLong(UNRESOLVED_AFTER_MS, 86_400_000);
      Duration giveUpAfter = unresolvedAfterMs <= 0 ? null : Duration.ofMillis(unresolvedAfterMs);
      Pool pool = Database.pool(vertx, mysqlUri, "payment", 10);
      TossClient toss = TossClient.create(vertx, config, new AttemptLog(pool)).registerMetrics(metrics.registry());
      Payments payments = new Payments(pool, toss, new PaymentMetrics(metrics.registry()));
      return ServiceDeployment.steps(vertx, config)
        .part(TossClient.class, toss)
        .part(Payments.class, payments)
        // closed once everything else has stopped
        .closing(() -> {
          toss.close();
          return pool.close();
        })
        .migrate(mysqlUri, "classpath:db/payment")
        .topics(List.of(Topics.PAYMENT_EVENTS), PaymentEvents.SAGA)
        .outboxRelay(mysqlUri)
        .verticle(() -> new PaymentEvents(payments, interval, age, giveUpAfter))
        .bridge(bridge)
        .http(() -> new PaymentVerticle(config, metrics, bridge, payments, toss), PaymentVerticle::port, instances)
        .start();
    });
  }
}
