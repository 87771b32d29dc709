package dev.eventmall.catalog;

import dev.eventmall.catalog.api.ProductApi;
import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.catalog.persistence.ProductRepository;
import dev.eventmall.catalog.persistence.ProductStore;
import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.async.UnderWay;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.cassandra.CassandraClient;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The catalog HTTP API: {@code /products}, {@code /sellers/me/products}, the dead-letter admin of the stock consumer
 * ({@code /admin/dlq}, ADMIN only), health ({@code /health/ready}: MySQL, Cassandra, Kafka), metrics and OpenAPI. The
 * instance created with {@code repair = true} also runs the periodic Cassandra document repair
 * ({@link ProductStore#repairPending}); its stop waits for the repair under way (bounded) before its Cassandra client
 * and the instances' shared pool close.
 */
public final class CatalogVerticle extends ServiceHttpVerticle {
  /** Name of the Cassandra client the HTTP instances share. */
  static final String CASSANDRA_CLIENT = "catalog-cassandra";

  /** {@code CATALOG_REPAIR_INTERVAL_MS}: how often pending documents are re-applied, default 5000. */
  public static final String REPAIR_INTERVAL_MS = "CATALOG_REPAIR_INTERVAL_MS";
  private static final Logger LOG = LoggerFactory.getLogger(CatalogVerticle.class);
  /**
   * How long a stop waits for the repair under way before the clients close (a read, then per pending document one
   * Cassandra write and two statements: milliseconds; one held up by a store in trouble is cut short). The bound of the
   * readiness probes' admin client close, which runs alongside it: the stop stays within the bound it had.
   */
  private static final Duration REPAIR_STOP_WAIT = Duration.ofSeconds(2);

  private final KafkaEventBridge.Options bridge;
  private final ProductStore.Caches caches;
  private final boolean repair;
  private Pool pool;
  private CassandraClient cassandra;
  private Future<CassandraProducts> products;
  private long repairTimer = -1;
  /** The repairs under way: {@link #stop()} lets the pool close only after them. */
  private final UnderWay repairs = new UnderWay();
  /** Set by {@link #stop()}: a repair failing from then on met the clients closing (past the wait), not a fault. */
  private boolean stopped;

  /** {@code caches} are the process's read caches, shared by every instance of the deployment. */
  public CatalogVerticle(Config config, Metrics metrics, KafkaEventBridge.Options bridge, ProductStore.Caches caches,
                         boolean repair) {
    super(config, metrics, "openapi/catalog.yaml", config.httpPort(CatalogApp.DEFAULT_PORT));
    this.bridge = bridge;
    this.caches = caches;
    this.repair = repair;
  }

  @Override
  protected Future<?> prepare() {
    pool = Database.pool(vertx, config.mysqlUri(CatalogApp.DATABASE), "catalog", 10);
    cassandra = CassandraClient.createShared(vertx, CASSANDRA_CLIENT, CassandraProducts.options(config));
    products = CassandraProducts.prepare(cassandra, CassandraProducts.keyspace(config));
    return products;
  }

  @Override
  protected void routes(Http http) {
    ReadPools reads = ReadPools.create(vertx, config, CatalogApp.DATABASE, pool, "catalog", 10);
    ProductStore store = new ProductStore(vertx, new ProductRepository(pool), reads, products.result(), caches);
    http.readiness().mysql(pool)
      .check("cassandra", () -> cassandra.execute("SELECT release_version FROM system.local"))
      .kafka(config.kafkaBootstrapServers());
    new ProductApi(store, reads).routes(http.contract(), http.jwt()).mount(http.root());
    deadLetters(http, "/admin/dlq", bridge);
    if (repair) {
      long interval = config.getLong(REPAIR_INTERVAL_MS, 5_000);
      repairTimer = vertx.setPeriodic(interval, interval, id -> repair(store, Duration.ofMillis(interval)));
    }
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(repairTimer);
    // the repair under way ends first (bounded): once this instance has stopped its Cassandra client refuses work and
    // the pool closes with the last instance; closing them under the repair failed its writes, each logged "repair of
    // product .. failed, will retry" at WARN on the way down
    return Future.join(repairs.ended(REPAIR_STOP_WAIT), super.stop());
  }

  private void repair(ProductStore store, Duration grace) {
    // a slow repair may still run when the next one starts: the stop waits for both
    repairs.track(store.repairPending(grace, 100)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("repaired {} product documents in Cassandra", n);
        }
      })
      // the read of the pending documents failed (a document's own failure is logged by the store and skipped)
      .onFailure(e -> {
        if (!stopped) {
          LOG.warn("document repair could not read the pending documents (next repair retries): {}", e.toString());
        }
      }));
  }
}
