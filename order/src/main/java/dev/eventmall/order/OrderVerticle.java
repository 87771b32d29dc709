package dev.eventmall.order;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.order.api.OrderApi;
import dev.eventmall.order.domain.Admission;
import io.vertx.core.Future;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.core.VerticleBase;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/**
 * The order HTTP API: {@code /orders}, {@code /admin/orders} (ADMIN), the dead-letter admin of both consumer groups
 * ({@code /admin/dlq/saga}, {@code /admin/dlq/projections}, ADMIN only), health ({@code /health/ready}: MySQL and
 * Kafka), metrics and OpenAPI.
 */
public final class OrderVerticle extends VerticleBase {
  private final Config config;
  private final Metrics metrics;
  private final OrderMetrics orderMetrics;
  private final KafkaEventBridge.Options saga;
  private final KafkaEventBridge.Options projections;
  private Readiness readiness;
  private volatile int port;

  public OrderVerticle(Config config, Metrics metrics, OrderMetrics orderMetrics, KafkaEventBridge.Options saga,
                       KafkaEventBridge.Options projections) {
    this.config = config;
    this.metrics = metrics;
    this.orderMetrics = orderMetrics;
    this.saga = saga;
    this.projections = projections;
  }

  private SagaAdmission admission;
  private long checkoutSweep = -1;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OrderVerticle.class);

  /** The port this instance listens on. */
  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, config.mysqlUri(OrderApp.DATABASE), "orders",
      config.getInt(OrderApp.DB_POOL_SIZE, 10));
    readiness = Readiness.create(vertx).mysql(pool).kafka(config.kafkaBootstrapServers());
    HealthChecks checks = readiness.checks();
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, "openapi/order.yaml")).compose(both -> {
      JWTAuth jwt = both.resultAt(0);
      ContractRoutes routes = both.resultAt(1);
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/order.yaml")
        .build();
      admission = new SagaAdmission(new Admission(config.getInt(OrderApp.SAGA_BUDGET, OrderApp.DEFAULT_SAGA_BUDGET)),
        metrics.registry()).start(vertx, pool);
      ReadPools reads = ReadPools.create(vertx, config, OrderApp.DATABASE, pool, "orders",
        config.getInt(OrderApp.DB_POOL_SIZE, 10));
      OrderService service = new OrderService(pool, reads, orderMetrics,
        config.getInt(OrderApp.MAX_UNPAID_CHECKOUTS, 5));
      long window = config.getLong(OrderApp.CHECKOUT_WINDOW, OrderApp.DEFAULT_CHECKOUT_WINDOW_SECONDS);
      if (window > 0) {
        // every HTTP instance sweeps (cancels lock their rows: a second sweeper finds nothing left to do)
        checkoutSweep = vertx.setPeriodic(config.getLong(OrderApp.CHECKOUT_SWEEP_MS, 30_000), id ->
          service.expireUnpaidCheckouts(java.time.Duration.ofSeconds(window))
            .onSuccess(n -> {
              if (n > 0) {
                LOG.info("cancelled {} CHECKOUT orders unpaid after {} s", n, window);
              }
            })
            .onFailure(e -> LOG.warn("checkout expiry sweep failed: {}", e.toString())));
      }
      OrderApi api = new OrderApi(service, admission, reads);
      api.routes(routes, jwt).mount(root);
      new DeadLetters(vertx, saga).mount(root, "/admin/dlq/saga", AuthHandlers.bearer(jwt),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      new DeadLetters(vertx, projections).mount(root, "/admin/dlq/projections", AuthHandlers.bearer(jwt),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, config.httpPort(OrderApp.DEFAULT_PORT))
        .onSuccess(server -> port = server.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    if (admission != null) {
      admission.stop(vertx);
    }
    vertx.cancelTimer(checkoutSweep);
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
