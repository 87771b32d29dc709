package dev.eventmall.catalog;

import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.catalog.persistence.ProductStore;
import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.cassandra.CassandraClient;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wires the catalog service: migrates MySQL {@code catalog}, creates the Cassandra schema, ensures the topics it
 * produces and consumes (with their dead-letter topics), then deploys the outbox relay, the stock handlers
 * ({@link CatalogEvents}), the Kafka bridge of group {@code catalog-stock} and the HTTP verticle, whose instances share
 * one set of read caches ({@link ProductStore.Caches}, made here once per deployment).
 */
public final class CatalogApp {
  public static final String DATABASE = "catalog";
  public static final int DEFAULT_PORT = 8085;
  /** {@code CATALOG_HTTP_INSTANCES}: HTTP verticle instances, default = available processors. */
  public static final String HTTP_INSTANCES = "CATALOG_HTTP_INSTANCES";

  private CatalogApp() {
  }

  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      String mysqlUri = config.mysqlUri(DATABASE);
      KafkaEventBridge.Options bridge = CatalogEvents.STOCK.bridge(config.kafkaBootstrapServers());
      int instances = Math.max(1, config.getInt(HTTP_INSTANCES, Runtime.getRuntime().availableProcessors()));
      ProductStore.Caches caches = ProductStore.Caches.create(
        config.getInt(ProductStore.DOCUMENT_CACHE, ProductStore.DEFAULT_CACHED_DOCUMENTS), metrics.registry());
      AtomicBoolean first = new AtomicBoolean(true);
      return ServiceDeployment.steps(vertx, config)
        .migrate(mysqlUri, "classpath:db/catalog")
        .prepare(() -> CassandraProducts.createSchema(vertx, config))
        .topics(List.of(Topics.CATALOG_PRODUCTS, Topics.CATALOG_STOCK), CatalogEvents.STOCK)
        .outboxRelay(mysqlUri)
        .verticle(() -> new CatalogEvents(mysqlUri))
        .bridge(bridge)
        .replicaLag(DATABASE, metrics.registry())
        .step(() -> connectSharedSession(vertx, config), CassandraClient::close)
        .http(() -> new CatalogVerticle(config, metrics, bridge, caches, first.getAndSet(false)), CatalogVerticle::port,
          instances)
        .start();
    });
  }

  /**
   * Connects the shared Cassandra session before the HTTP instances start: vertx-cassandra-client 5.0.8 throws an
   * IllegalStateException when several instances of a shared client connect at the same moment (both build a session,
   * the second cannot register its own). With the session connected first, every instance reuses it; this client lets
   * go of it when the service stops.
   */
  private static Future<CassandraClient> connectSharedSession(Vertx vertx, Config config) {
    CassandraClient client = CassandraClient.createShared(vertx, CatalogVerticle.CASSANDRA_CLIENT,
      CassandraProducts.options(config));
    return client.execute("SELECT release_version FROM system.local").map(rows -> client);
  }
}
