package dev.eventmall.payment;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.kafka.RetryPolicy;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.messaging.PaymentSagaVerticle;
import dev.eventmall.payment.persistence.AttemptLog;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Wires the payment service: migrates MySQL {@code payment}, ensures its topics (with dead-letter topics), creates the
 * Toss client (one circuit breaker for the whole service), then deploys the outbox relay, the saga handlers, the Kafka
 * bridge of group {@code payment-saga} and the HTTP verticle.
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
  private static final Logger LOG = LoggerFactory.getLogger(PaymentApp.class);

  /** What {@link #deploy} started; {@link #undeploy} stops it in reverse and closes the Toss client and the pool. */
  public record Deployment(int httpPort, List<String> deploymentIds, TossClient toss, Pool pool, Payments payments)
    implements ServiceMain.Started {
    public Future<Void> undeploy(Vertx vertx) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = deploymentIds.size() - 1; i >= 0; i--) {
        String id = deploymentIds.get(i);
        chain = chain.compose(v -> vertx.undeploy(id));
      }
      return chain.eventually(() -> {
        toss.close();
        return pool.close();
      });
    }
  }

  private PaymentApp() {
  }

  /** Every topic the payment service produces to or consumes from, each followed by its dead-letter topic. */
  public static List<String> topics() {
    return Stream.concat(Stream.of(Topics.PAYMENT_EVENTS), PaymentSagaVerticle.TOPICS.stream())
      .flatMap(t -> Stream.of(t, Topics.dlq(t))).toList();
  }

  /** The saga consumer's bridge options (group {@code payment-saga}). */
  public static KafkaEventBridge.Options bridgeOptions(Config config) {
    return new KafkaEventBridge.Options(config.kafkaBootstrapServers(), PaymentSagaVerticle.GROUP,
      PaymentSagaVerticle.TOPICS,
      new RetryPolicy(Math.max(1, config.getInt(EVENT_RETRIES, 8)), Duration.ofMillis(500), Duration.ofSeconds(15)),
      Duration.ofMillis(config.getLong(HANDLER_TIMEOUT_MS, 120_000)), 100);
  }

  public static Future<Deployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    String mysqlUri = config.mysqlUri(DATABASE);
    String kafka = config.kafkaBootstrapServers();
    KafkaEventBridge.Options bridge = bridgeOptions(config);
    int instances = Math.max(1, config.getInt(HTTP_INSTANCES, 1));
    Duration interval = Duration.ofMillis(config.getLong(RECOVERY_INTERVAL_MS, 30_000));
    Duration age = Duration.ofMillis(config.getLong(RECOVERY_AGE_MS, 60_000));
    long unresolvedAfterMs = config.getLong(UNRESOLVED_AFTER_MS, 86_400_000);
    Duration giveUpAfter = unresolvedAfterMs <= 0 ? null : Duration.ofMillis(unresolvedAfterMs);
    List<String> ids = new ArrayList<>();
    List<PaymentVerticle> http = new CopyOnWriteArrayList<>();
    Pool pool = Database.pool(vertx, mysqlUri, "payment", 10);
    TossClient toss = TossClient.create(vertx, config, new AttemptLog(pool)).registerMetrics(metrics.registry());
    Payments payments = new Payments(pool, toss, new PaymentMetrics(metrics.registry()));
    return Future.all(
        Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/payment"),
        KafkaTopics.ensure(vertx, kafka, topics(), KafkaTopics.partitions(config), 3))
      .compose(v -> vertx.deployVerticle(new OutboxRelay(OutboxRelay.Options.from(config, mysqlUri, kafka))))
      .onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new PaymentSagaVerticle(payments, interval, age, giveUpAfter))).onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new KafkaEventBridge(bridge))).onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(() -> {
        PaymentVerticle verticle = new PaymentVerticle(config, metrics, bridge, payments, toss);
        http.add(verticle);
        return verticle;
      }, new DeploymentOptions().setInstances(instances))).onSuccess(ids::add)
      .map(v -> new Deployment(http.get(0).port(), List.copyOf(ids), toss, pool, payments))
      .recover(e -> {
        Deployment partial = new Deployment(0, List.copyOf(ids), toss, pool, payments);
        return partial.undeploy(vertx).transform(ar -> Future.failedFuture(e));
      });
  }
}
