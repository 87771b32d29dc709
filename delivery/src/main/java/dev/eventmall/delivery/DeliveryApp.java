package dev.eventmall.delivery;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.RetryPolicy;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;

/**
 * Wires the delivery service: migrates MySQL {@code delivery}, ensures delivery.events and the consumed topics (with
 * their dead-letter topics), then deploys the outbox relay, the saga ({@link DeliveryEvents}: handlers, carrier
 * dispatcher, tracking poller), the Kafka bridge of group {@code delivery-saga} and the HTTP verticle.
 */
public final class DeliveryApp {
  public static final String DATABASE = "delivery";
  public static final int DEFAULT_PORT = 8083;
  /** {@code DELIVERY_HTTP_INSTANCES}: HTTP verticle instances, default = available processors. */
  public static final String HTTP_INSTANCES = "DELIVERY_HTTP_INSTANCES";
  /**
   * Retries of a failing saga event: PaymentCompleted before OrderPlaced waits here (about 16 s in all) before it is
   * parked on payment.events.dlq.
   */
  public static final RetryPolicy RETRY = new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(5));

  private DeliveryApp() {
  }

  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      DeliverySettings settings = DeliverySettings.of(config);
      String mysqlUri = config.mysqlUri(DATABASE);
      KafkaEventBridge.Options bridge = DeliveryEvents.SAGA.bridge(config.kafkaBootstrapServers()).withRetry(RETRY);
      int instances = Math.max(1, config.getInt(HTTP_INSTANCES, Runtime.getRuntime().availableProcessors()));
      return ServiceDeployment.steps(vertx, config)
        .migrate(mysqlUri, "classpath:db/delivery")
        .topics(List.of(Topics.DELIVERY_EVENTS), DeliveryEvents.SAGA)
        .outboxRelay(mysqlUri)
        .verticle(() -> new DeliveryEvents(mysqlUri, settings, metrics))
        .bridge(bridge)
        .replicaLag(DATABASE, metrics.registry())
        .http(() -> new DeliveryVerticle(config, metrics, bridge), DeliveryVerticle::port, instances)
        .start();
    });
  }
}
