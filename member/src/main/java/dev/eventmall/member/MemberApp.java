package dev.eventmall.member;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the member service on a Vert.x instance: Flyway migrations of database {@code member}, the
 * {@code member.events} topic, the optional admin seed, one {@link OutboxRelay} and {@code HTTP_INSTANCES} HTTP
 * verticles. Used by {@link Main}, devstack, CI and the tests.
 */
public final class MemberApp {

  /** A running member service: the port it listens on and what to undeploy. */
  public record Deployment(int httpPort, String relayDeploymentId, String httpDeploymentId)
    implements ServiceMain.Started {
    public Future<Void> undeploy(Vertx vertx) {
      return vertx.undeploy(httpDeploymentId).eventually(() -> vertx.undeploy(relayDeploymentId));
    }
  }

  private MemberApp() {
  }

  /**
   * Reads {@code MYSQL_URI} (database {@code member}), {@code KAFKA_BOOTSTRAP_SERVERS}, {@code HTTP_PORT} (default
   * 8081, 0 = any), {@code JWT_SECRET} or {@code JWT_PUBLIC_KEY_FILE}+{@code JWT_PRIVATE_KEY_FILE},
   * {@code JWT_ACCESS_TTL_SECONDS}, {@code HTTP_BODY_LIMIT_BYTES} and the {@link MemberSettings} variables.
   */
  public static Future<Deployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    MemberSettings settings;
    String mysqlUri;
    try {
      settings = MemberSettings.from(config);
      mysqlUri = config.mysqlUri("member");
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String kafka = config.kafkaBootstrapServers();
    AtomicInteger port = new AtomicInteger(-1);
    return Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/member")
      .compose(migrated -> KafkaTopics.ensure(vertx, kafka, List.of(Topics.MEMBER_EVENTS),
        KafkaTopics.partitions(config), 3))
      .compose(topics -> AdminSeeder.seed(vertx, mysqlUri, settings))
      .compose(seeded -> vertx.deployVerticle(() -> new OutboxRelay(OutboxRelay.Options.from(config, mysqlUri, kafka)),
        new DeploymentOptions()))
      .compose(relayId -> vertx.deployVerticle(
          () -> new MemberVerticle(config, settings, metrics, actual -> port.compareAndSet(-1, actual)),
          new DeploymentOptions().setInstances(settings.httpInstances()))
        .recover(err -> vertx.undeploy(relayId).transform(x -> Future.failedFuture(err)))
        .map(httpId -> new Deployment(port.get(), relayId, httpId)));
  }
}
