package dev.eventmall.order;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * Wires the order service: Flyway migrations of MySQL {@code orders}, the topics it produces and consumes (with their
 * dead-letter topics), then one {@link OutboxRelay}, the saga and projection handlers ({@link OrderEvents}), the two
 * Kafka bridges ({@code order-saga}, {@code order-projections}) and {@code ORDER_HTTP_INSTANCES} HTTP verticles. Used
 * by {@link Main}, devstack and the tests.
 */
public final class OrderApp {
  public static final String DATABASE = "orders";
  public static final int DEFAULT_PORT = 8086;
  /**
   * {@code ORDER_SAGA_BUDGET}: orders allowed in the saga at once (placed in the last minute, not yet past PAID) before
   * {@code POST /orders} answers 503 with Retry-After; 0 admits everything. Size it as the saga's sustained rate times
   * the saga latency you accept (the default suits a 2-core host: about 130 orders/s × 2 s).
   */
  public static final String SAGA_BUDGET = "ORDER_SAGA_BUDGET";
  public static final int DEFAULT_SAGA_BUDGET = 256;
  /**
   * {@code ORDER_CHECKOUT_WINDOW_SECONDS}: how long a CHECKOUT order may wait for its payment before it is cancelled and
   * its stock released (default 30 minutes; 0 = never).
   */
  public static final String CHECKOUT_WINDOW = "ORDER_CHECKOUT_WINDOW_SECONDS";
  public static final long DEFAULT_CHECKOUT_WINDOW_SECONDS = 1800;
  /** {@code ORDER_CHECKOUT_SWEEP_MS}: how often expired checkouts are looked for (default 30 s). */
  public static final String CHECKOUT_SWEEP_MS = "ORDER_CHECKOUT_SWEEP_MS";
  /** {@code ORDER_MAX_UNPAID_CHECKOUTS}: unpaid CHECKOUT orders one customer may hold (default 5; 0 = no cap). */
  public static final String MAX_UNPAID_CHECKOUTS = "ORDER_MAX_UNPAID_CHECKOUTS";
  /** {@code ORDER_HTTP_INSTANCES}: HTTP verticle instances, default = available processors. */
  public static final String HTTP_INSTANCES = "ORDER_HTTP_INSTANCES";
  /** {@code ORDER_DB_POOL_SIZE}: MySQL connections of the HTTP side, default 10. */
  public static final String DB_POOL_SIZE = "ORDER_DB_POOL_SIZE";

  private OrderApp() {
  }

  /**
   * Reads {@code MYSQL_URI} (database {@code orders}), {@code KAFKA_BOOTSTRAP_SERVERS}, {@code HTTP_PORT} (default
   * 8086, 0 = any), {@code JWT_SECRET} or {@code JWT_PUBLIC_KEY_FILE}, {@code HTTP_BODY_LIMIT_BYTES},
   * {@code ORDER_HTTP_INSTANCES}, {@code ORDER_DB_POOL_SIZE}.
   *
   * @param metrics registry of {@code /metrics} and of the business counters; may be null (no /metrics route)
   */
  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      String mysqlUri = config.mysqlUri(DATABASE);
      int instances = Math.max(1, config.getInt(HTTP_INSTANCES, Runtime.getRuntime().availableProcessors()));
      String kafka = config.kafkaBootstrapServers();
      MeterRegistry registry = metrics != null ? metrics.registry() : Metrics.registryOf(vertx);
      OrderMetrics orderMetrics = new OrderMetrics(registry);
      KafkaEventBridge.Options saga = OrderEvents.SAGA.bridge(kafka);
      KafkaEventBridge.Options projections = OrderEvents.PROJECTIONS.bridge(kafka);
      // one group commit and one pair of lookups for all the HTTP instances: their orders batch together
      OrderService.FrontDoor frontDoor = new OrderService.FrontDoor();
      return ServiceDeployment.steps(vertx, config)
        .migrate(mysqlUri, "classpath:db/order")
        .topics(List.of(Topics.ORDER_EVENTS), OrderEvents.SAGA, OrderEvents.PROJECTIONS)
        .outboxRelay(mysqlUri)
        .verticle(() -> new OrderEvents(mysqlUri, orderMetrics))
        .bridge(saga)
        .bridge(projections)
        .replicaLag(DATABASE, registry)
        .http(() -> new OrderVerticle(config, metrics, orderMetrics, saga, projections, frontDoor),
          OrderVerticle::port, instances)
        .start();
    });
  }
}
