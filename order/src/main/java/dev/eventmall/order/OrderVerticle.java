package dev.eventmall.order;

import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.order.api.OrderApi;
import dev.eventmall.order.domain.Admission;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The order HTTP API: {@code /orders}, {@code /admin/orders} (ADMIN), the dead-letter admin of both consumer groups
 * ({@code /admin/dlq/saga}, {@code /admin/dlq/projections}, ADMIN only), health ({@code /health/ready}: MySQL and
 * Kafka), metrics and OpenAPI.
 */
public final class OrderVerticle extends ServiceHttpVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(OrderVerticle.class);

  private final OrderMetrics orderMetrics;
  private final KafkaEventBridge.Options saga;
  private final KafkaEventBridge.Options projections;
  private final OrderService.FrontDoor frontDoor;
  private SagaAdmission admission;
  private Pool pool;
  private long checkoutSweep = -1;

  /** @param frontDoor shared by the HTTP instances of one deployment ({@link OrderService.FrontDoor}) */
  public OrderVerticle(Config config, Metrics metrics, OrderMetrics orderMetrics, KafkaEventBridge.Options saga,
                       KafkaEventBridge.Options projections, OrderService.FrontDoor frontDoor) {
    super(config, metrics, "openapi/order.yaml", config.httpPort(OrderApp.DEFAULT_PORT));
    this.orderMetrics = orderMetrics;
    this.saga = saga;
    this.projections = projections;
    this.frontDoor = frontDoor;
  }

  @Override
  protected void routes(Http http) {
    pool = Database.pool(vertx, config.mysqlUri(OrderApp.DATABASE), "orders",
      config.getInt(OrderApp.DB_POOL_SIZE, 10));
    http.readiness().mysql(pool).kafka(config.kafkaBootstrapServers());
    admission = new SagaAdmission(new Admission(config.getInt(OrderApp.SAGA_BUDGET, OrderApp.DEFAULT_SAGA_BUDGET)),
      metrics.registry()).start(vertx, pool);
    ReadPools reads = ReadPools.create(vertx, config, OrderApp.DATABASE, pool, "orders",
      config.getInt(OrderApp.DB_POOL_SIZE, 10));
    OrderService service = new OrderService(pool, reads, orderMetrics,
      config.getInt(OrderApp.MAX_UNPAID_CHECKOUTS, 5), frontDoor);
    long window = config.getLong(OrderApp.CHECKOUT_WINDOW, OrderApp.DEFAULT_CHECKOUT_WINDOW_SECONDS);
    if (window > 0) {
      // every HTTP instance sweeps (cancels lock their rows: a second sweeper finds nothing left to do)
      checkoutSweep = vertx.setPeriodic(config.getLong(OrderApp.CHECKOUT_SWEEP_MS, 30_000), id ->
        service.expireUnpaidCheckouts(Duration.ofSeconds(window))
          .onSuccess(n -> {
            if (n > 0) {
              LOG.info("cancelled {} CHECKOUT orders unpaid after {} s", n, window);
            }
          })
          .onFailure(e -> LOG.warn("checkout expiry sweep failed: {}", e.toString())));
    }
    new OrderApi(service, admission, reads).routes(http.contract(), http.jwt()).mount(http.root());
    deadLetters(http, "/admin/dlq/saga", saga);
    deadLetters(http, "/admin/dlq/projections", projections);
  }

  @Override
  public Future<?> stop() {
    if (admission != null) {
      admission.stop(vertx);
    }
    vertx.cancelTimer(checkoutSweep);
    if (pool != null) {
      frontDoor.release(pool);
    }
    return super.stop();
  }
}
