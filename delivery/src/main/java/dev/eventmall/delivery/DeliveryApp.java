package dev.eventmall.delivery;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReplicaLagVerticle;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.kafka.RetryPolicy;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import dev.eventmall.delivery.messaging.DeliverySagaVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Wires the delivery service: migrates MySQL {@code delivery}, ensures delivery.events and the consumed topics (with
 * their dead-letter topics), then deploys the outbox relay, the saga (handlers, carrier dispatcher, tracking poller),
 * the Kafka bridge of group {@code delivery-saga} and the HTTP verticle.
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

  private DeliveryApp() {
  }

  /** delivery.events and the consumed topics, each followed by its dead-letter topic. */
  public static List<String> topics() {
    return Stream.concat(Stream.of(Topics.DELIVERY_EVENTS), DeliverySagaVerticle.TOPICS.stream())
      .flatMap(t -> Stream.of(t, Topics.dlq(t))).toList();
  }

  public static Future<Deployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    DeliverySettings settings;
    try {
      settings = DeliverySettings.of(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String mysqlUri = config.mysqlUri(DATABASE);
    String kafka = config.kafkaBootstrapServers();
    KafkaEventBridge.Options bridge = new KafkaEventBridge.Options(kafka, DeliverySagaVerticle.GROUP,
      DeliverySagaVerticle.TOPICS).withRetry(RETRY);
    int instances = Math.max(1, config.getInt(HTTP_INSTANCES, Runtime.getRuntime().availableProcessors()));
    List<String> ids = new ArrayList<>();
    List<DeliveryVerticle> http = new CopyOnWriteArrayList<>();
    return Future.all(
        Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/delivery"),
        KafkaTopics.ensure(vertx, kafka, topics(), KafkaTopics.partitions(config), 3))
      .compose(v -> vertx.deployVerticle(new OutboxRelay(OutboxRelay.Options.from(config, mysqlUri, kafka))))
      .onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new DeliverySagaVerticle(mysqlUri, settings, metrics))).onSuccess(ids::add)
      .compose(v -> vertx.deployVerticle(new KafkaEventBridge(bridge))).onSuccess(ids::add)
      .compose(v -> ReplicaLagVerticle.deployIfConfigured(vertx, config, DATABASE, metrics.registry()))
      .onSuccess(id -> {
        if (id != null) {
          ids.add(id);
        }
      })
      .compose(v -> vertx.deployVerticle(() -> {
        DeliveryVerticle verticle = new DeliveryVerticle(config, metrics, bridge);
        http.add(verticle);
        return verticle;
      }, new DeploymentOptions().setInstances(instances))).onSuccess(ids::add)
      .map(v -> new Deployment(http.get(0).port(), List.copyOf(ids)));
  }
}
