package dev.eventmall.catalog;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.catalog.messaging.StockVerticle;
import dev.eventmall.catalog.persistence.CassandraProducts;
import dev.eventmall.catalog.persistence.ProductStore;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReplicaLagVerticle;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.cassandra.CassandraClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Wires the catalog service: migrates MySQL {@code catalog}, creates the Cassandra schema, ensures the topics it
 * produces and consumes (with their dead-letter topics), then deploys the outbox relay, the stock handlers, the Kafka
 * bridge of group {@code catalog-stock} and the HTTP verticle, whose instances share one set of read caches
 * ({@link ProductStore.Caches}, made here once per deployment).
 */
public final class CatalogApp {
  public static final String DATABASE = "catalog";
  public static final int DEFAULT_PORT = 8085;
  /** {@code CATALOG_HTTP_INSTANCES}: HTTP verticle instances, default = available processors. */
  public static final String HTTP_INSTANCES = "CATALOG_HTTP_INSTANCES";

  /** What {@link #deploy} started: the HTTP port actually bound and the deployment ids (undeploy in reverse). */
  public record Deployment(int httpPort, List<String> deploymentIds) implements ServiceMain.Started {
    public Future<Void> undeploy(Vertx vertx) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = deploymentIds.size() - 1; i >= 0; i--) {
        String id = deploymentIds.get(i);
        chain = chain.compose(v -> vertx.undeploy(id));
      }
      return chain;
    }
  }

  private CatalogApp() {
  }

  /** Every topic the catalog produces to or consumes from, each followed by its dead-letter topic. */
  public static List<String> topics() {
    return Stream.concat(Stream.of(Topics.CATALOG_PRODUCTS, Topics.CATALOG_STOCK), StockVerticle.TOPICS.stream())
      .flatMap(t -> Stream.of(t, Topics.dlq(t))).toList();
  }

  public static Future<Deployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    String mysqlUri = config.mysqlUri(DATABASE);
    String kafka = config.kafkaBootstrapServers();
    KafkaEventBridge.Options bridge = new KafkaEventBridge.Options(kafka, StockVerticle.GROUP, StockVerticle.TOPICS);
    int instances = Math.max(1, config.getInt(HTTP_INSTANCES, Runtime.getRuntime().availableProcessors()));
    List<String> ids = new ArrayList<>();
    List<CatalogVerticle> http = new CopyOnWriteArrayList<>();
    ProductStore.Caches caches;
    try {
      caches = ProductStore.Caches.create(
        config.getInt(ProductStore.DOCUMENT_CACHE, ProductStore.DEFAULT_CACHED_DOCUMENTS), metrics.registry());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.all(
        Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/catalog"),
        CassandraProducts.createSchema(vertx, config),
        KafkaTopics.ensure(vertx, kafka, topics(), KafkaTopics.partitions(config), 3))
      .compose(v -> vertx.deployVerticle(new OutboxRelay(OutboxRelay.Options.from(config, mysqlUri, kafka))))
      .onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new StockVerticle(mysqlUri))).onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new KafkaEventBridge(bridge))).onSuccess(ids::add)
      .compose(v -> ReplicaLagVerticle.deployIfConfigured(vertx, config, DATABASE, metrics.registry()))
      .onSuccess(id -> {
        if (id != null) {
          ids.add(id);
        }
      })
      .compose(v -> connectSharedSession(vertx, config))
      .compose(warmUp -> vertx.deployVerticle(() -> {
        CatalogVerticle verticle = new CatalogVerticle(config, metrics, bridge, caches, http.isEmpty());
        http.add(verticle);
        return verticle;
      }, new DeploymentOptions().setInstances(instances)).eventually(warmUp::close)).onSuccess(ids::add)
      .map(v -> new Deployment(http.get(0).port(), List.copyOf(ids)));
  }

  /**
   * Connects the shared Cassandra session before the HTTP instances start: vertx-cassandra-client 5.0.8 throws an
   * IllegalStateException when several instances of a shared client connect at the same moment (both build a session,
   * the second cannot register its own). With the session connected first, every instance reuses it.
   */
  private static Future<CassandraClient> connectSharedSession(Vertx vertx, Config config) {
    CassandraClient client = CassandraClient.createShared(vertx, CatalogVerticle.CASSANDRA_CLIENT,
      CassandraProducts.options(config));
    return client.execute("SELECT release_version FROM system.local").map(rows -> client);
  }
}
