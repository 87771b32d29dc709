package dev.eventmall.catalog;

import dev.eventmall.catalog.api.ProductApi;
import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.catalog.persistence.ProductRepository;
import dev.eventmall.catalog.persistence.ProductStore;
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
import io.vertx.cassandra.CassandraClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The catalog HTTP API: {@code /products}, {@code /sellers/me/products}, the dead-letter admin of the stock consumer
 * ({@code /admin/dlq}, ADMIN only), health ({@code /health/ready}: MySQL, Cassandra, Kafka), metrics and OpenAPI. The
 * instance created with {@code repair = true} also runs the periodic Cassandra document repair
 * ({@link ProductStore#repairPending}).
 */
public final class CatalogVerticle extends VerticleBase {
  /** Name of the Cassandra client the HTTP instances share. */
  static final String CASSANDRA_CLIENT = "catalog-cassandra";

  /** {@code CATALOG_REPAIR_INTERVAL_MS}: how often pending documents are re-applied, default 5000. */
  public static final String REPAIR_INTERVAL_MS = "CATALOG_REPAIR_INTERVAL_MS";
  private static final Logger LOG = LoggerFactory.getLogger(CatalogVerticle.class);

  private final Config config;
  private final Metrics metrics;
  private final KafkaEventBridge.Options bridge;
  private final ProductStore.Caches caches;
  private final boolean repair;
  private Readiness readiness;
  private volatile int port;

  /** {@code caches} are the process's read caches, shared by every instance of the deployment. */
  public CatalogVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge, ProductStore.Caches caches,
                         boolean repair) {
    this.config = config;
    this.metrics = metrics;
    this.bridge = bridge;
    this.caches = caches;
    this.repair = repair;
  }

  /** The port this instance listens on. */
  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, config.mysqlUri(CatalogApp.DATABASE), "catalog", 10);
    CassandraClient cassandra = CassandraClient.createShared(vertx, CASSANDRA_CLIENT, CassandraProducts.options(config));
    Future<JWTAuth> jwt = Jwt.create(vertx, config);
    Future<CassandraProducts> products = CassandraProducts.prepare(cassandra, CassandraProducts.keyspace(config));
    Future<ContractRoutes> contract = ContractRoutes.load(vertx, "openapi/catalog.yaml");
    return Future.all(jwt, products, contract).compose(all -> {
      ReadPools reads = ReadPools.create(vertx, config, CatalogApp.DATABASE, pool, "catalog", 10);
      ProductStore store = new ProductStore(vertx, new ProductRepository(pool), reads, products.result(), caches);
      ProductApi api = new ProductApi(store, reads);
      readiness = Readiness.create(vertx).mysql(pool)
        .check("cassandra", () -> cassandra.execute("SELECT release_version FROM system.local"))
        .kafka(config.kafkaBootstrapServers());
      HealthChecks checks = readiness.checks();
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/catalog.yaml")
        .build();
      api.routes(contract.result(), jwt.result()).mount(root);
      new DeadLetters(vertx, bridge).mount(root, "/admin/dlq", AuthHandlers.bearer(jwt.result()),
        AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      if (repair) {
        long interval = config.getLong(REPAIR_INTERVAL_MS, 5_000);
        vertx.setPeriodic(interval, interval, id -> store.repairPending(Duration.ofMillis(interval), 100)
          .onSuccess(n -> {
            if (n > 0) {
              LOG.info("repaired {} product documents in Cassandra", n);
            }
          }));
      }
      return HttpBootstrap.listen(vertx, root, config.httpPort(CatalogApp.DEFAULT_PORT))
        .onSuccess(server -> port = server.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
