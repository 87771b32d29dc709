package dev.eventmall.catalog;

import dev.eventmall.catalog.domain.Product;
import dev.eventmall.catalog.domain.ProductDetails;
import dev.eventmall.catalog.domain.ProductOption;
import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.catalog.persistence.ProductRepository;
import dev.eventmall.catalog.persistence.ProductStore;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.ServiceHarness;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.cassandra.CassandraClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP verticle that runs the document repair stopped while a repair is writing (here its statement clearing a
 * document's pending flag is held by MariaDB itself: another connection holds the product rows {@code FOR UPDATE}),
 * then the shared Cassandra session closed, in the order {@code CatalogApp}'s stop runs (the instances' pool closes with
 * the last instance, the session in the step after them): the stop waits for the repair instead of letting its clients
 * close under it, so the way down logs no warning about a repair that the next start runs anyway, and the documents it
 * was writing are done. Before, the held statement failed on the closing pool and the repair's other documents on the
 * instance's closed Cassandra client ("Client is closed": the session CatalogApp keeps open does not help, each client
 * instance closes with its verticle) or the closed pool, each logged "repair of product .. failed, will retry" at WARN.
 * Its own Vert.x, database and keyspace (nothing of the other classes' deployments in the way).
 */
@Needs({Infra.MYSQL, Infra.KAFKA, Infra.CASSANDRA})
class RepairStopTest {
  /**
   * How long the repair's statement is held once the stop began: past the moment the verticle's own stop (the readiness
   * probes' Kafka admin client close) is done and its pool closes, within the stop's 2 s wait for the repair. How long
   * the undeploy took says little on its own (without the wait it took 0.6 to 1 s here: the admin client's close, the
   * pool's close of the connection whose statement is held); what the repair left and logged tells the two apart.
   */
  static final Duration HOLD = Duration.ofMillis(1_000);

  @Test
  void aStopDuringARepairWaitsForItAndWarnsOfNothing() throws Exception {
    Vertx own = Vertx.vertx();
    Config config = config("catalog_stop");
    String mysqlUri = config.mysqlUri(CatalogApp.DATABASE);
    // what the catalog's classes log
    LogCapture logged = LogCapture.json("dev.eventmall.catalog");
    try {
      Await.result(Database.migrate(own, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/catalog"),
        Duration.ofSeconds(60));
      Await.result(CassandraProducts.createSchema(own, config), Duration.ofSeconds(60));
      Pool db = Database.pool(own, mysqlUri, "catalog-stop-test", 2);
      ProductRepository products = new ProductRepository(db);
      SqlConnection locker = Await.result(Database.pool(own, mysqlUri, "catalog-stop-locker", 1).getConnection());
      ProductStore.Caches caches = caches();
      for (int round = 0; round < 3; round++) {
        // three products whose documents are pending (a product row starts so until its Cassandra write is done)
        for (int i = 0; i < 3; i++) {
          Product product = Product.create("seller-stop-" + round, details("Lamp " + round + "-" + i),
            Instant.now().truncatedTo(ChronoUnit.MILLIS));
          Await.result(db.withTransaction(conn -> products.insert(conn, product)));
        }
        // every product row is held: a repair reads the pending ones, writes their documents to Cassandra, and its
        // statement clearing the first one's flag waits until the lock is released
        Transaction held = Await.result(locker.begin());
        Await.result(locker.query("SELECT product_id FROM product FOR UPDATE").execute());
        // the session CatalogApp connects before the HTTP instances and closes after them
        CassandraClient session = CassandraClient.createShared(own, CatalogVerticle.CASSANDRA_CLIENT,
          CassandraProducts.options(config));
        Await.result(session.execute("SELECT release_version FROM system.local"));
        String id = Await.result(own.deployVerticle(new CatalogVerticle(config, Metrics.create("catalog-stop"),
          CatalogEvents.STOCK.bridge(config.kafkaBootstrapServers()), caches, true)), Duration.ofSeconds(60));
        Thread.sleep(50); // the repair (every 10 ms) is under way and held
        Promise<Void> released = Promise.promise();
        long stopping = System.nanoTime();
        own.setTimer(HOLD.toMillis(), t -> held.rollback().onComplete(released));
        Await.result(own.undeploy(id));
        Duration took = Duration.ofNanos(System.nanoTime() - stopping);
        // then what CatalogApp closes once the HTTP instances have stopped
        Await.result(session.close());
        Await.result(released.future());
        assertThat(logged.warnings()).as("warnings on the way down").isEmpty();
        assertThat(pendingDocuments(db)).as("documents still pending once the stop returned: the repair was cut short")
          .isZero();
        assertThat(took).as("the stop's wait ended with the repair, not at its 2 s bound")
          .isLessThan(HOLD.plusMillis(900));
      }
    } finally {
      logged.close();
      Await.result(own.close());
    }
  }

  /**
   * The repair's read of the pending documents failing while the service runs is logged at WARN with its cause (here
   * MariaDB refuses it: the product table is renamed away for a moment); the same read failing because the stop closed
   * the pool under it (held past the stop's 2 s wait by {@code LOCK TABLES product WRITE} on another connection) is
   * not: a closed client is what a stop that could not wait longer leaves. Before, a failed read logged nothing at all,
   * so a repair that could not even read its work went unnoticed.
   */
  @Test
  void aFailedRepairReadIsWarnedOfButNotWhenTheStopClosedItsPool() throws Exception {
    Vertx own = Vertx.vertx();
    Config config = config("catalog_read");
    String mysqlUri = config.mysqlUri(CatalogApp.DATABASE);
    LogCapture logged = LogCapture.json(CatalogVerticle.class.getName());
    try {
      Await.result(Database.migrate(own, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/catalog"),
        Duration.ofSeconds(60));
      Await.result(CassandraProducts.createSchema(own, config), Duration.ofSeconds(60));
      SqlConnection admin = Await.result(Database.pool(own, mysqlUri, "catalog-read-admin", 1).getConnection());
      CassandraClient session = CassandraClient.createShared(own, CatalogVerticle.CASSANDRA_CLIENT,
        CassandraProducts.options(config));
      Await.result(session.execute("SELECT release_version FROM system.local"));
      String id = Await.result(own.deployVerticle(new CatalogVerticle(config, Metrics.create("catalog-read"),
        CatalogEvents.STOCK.bridge(config.kafkaBootstrapServers()), caches(), true)), Duration.ofSeconds(60));

      Await.result(admin.query("RENAME TABLE product TO product_away").execute());
      Await.until("a warning of the failed read", Duration.ofSeconds(10), () -> !logged.warnings().isEmpty());
      Await.result(admin.query("RENAME TABLE product_away TO product").execute());
      assertThat(logged.warnings().get(0)).as("the warning names its cause")
        .contains("document repair could not read the pending documents").contains("product' doesn't exist");

      Thread.sleep(200); // the reads that met the renamed table have all ended
      int before = logged.warnings().size();
      // every read of product now waits for the lock: the stop's 2 s wait ends and the pool closes under the read
      Await.result(admin.query("LOCK TABLES product WRITE").execute());
      Thread.sleep(50);
      Await.result(own.undeploy(id));
      Await.result(session.close());
      Thread.sleep(300); // the read failed on the closed pool by now
      Await.result(admin.query("UNLOCK TABLES").execute());
      assertThat(logged.warnings().subList(before, logged.warnings().size())).as("warnings on the way down").isEmpty();
    } finally {
      logged.close();
      Await.result(own.close());
    }
  }

  /** A service of its own database ({@code prefix}) and keyspace, repairing every 10 ms what is pending for 10 ms. */
  private static Config config(String prefix) {
    Map<String, String> env = ServiceHarness.env(prefix, "catalog-stop-secret-0123456789-0123456789");
    env.put(Config.CASSANDRA_CONTACT_POINTS, TestInfra.cassandraContactPoint());
    env.put(Config.CASSANDRA_LOCAL_DC, TestInfra.cassandraLocalDc());
    env.put(CassandraProducts.KEYSPACE, prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    env.put(CassandraProducts.SCHEMA_WINDOW_MS, "10");
    env.put(CatalogVerticle.REPAIR_INTERVAL_MS, "10");
    return Config.of(env);
  }

  private static ProductStore.Caches caches() {
    return ProductStore.Caches.create(100, Metrics.create("catalog-stop").registry());
  }

  private static long pendingDocuments(Pool db) {
    return Await.result(db.query("SELECT COUNT(*) AS n FROM product WHERE document_pending = 1").execute())
      .iterator().next().getLong("n");
  }

  private static ProductDetails details(String name) {
    return new ProductDetails(name, "A fine " + name, "lamps", 50_000, 1, Map.of("color", "red"),
      List.of("https://img.eventmall.dev/lamp.jpg"), List.<ProductOption>of());
  }
}
