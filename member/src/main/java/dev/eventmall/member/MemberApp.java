package dev.eventmall.member;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.outbox.OutboxRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * Starts the member service on a Vert.x instance: Flyway migrations of database {@code member}, the
 * {@code member.events} topic (and its dead-letter topic), the optional admin seed, one {@link OutboxRelay} and
 * {@code HTTP_INSTANCES} HTTP verticles. Used by {@link Main}, devstack, CI and the tests.
 */
public final class MemberApp {

  private MemberApp() {
  }

  /**
   * Reads {@code MYSQL_URI} (database {@code member}), {@code KAFKA_BOOTSTRAP_SERVERS}, {@code HTTP_PORT} (default
   * 8081, 0 = any), {@code JWT_SECRET} or {@code JWT_PUBLIC_KEY_FILE}+{@code JWT_PRIVATE_KEY_FILE},
   * {@code JWT_ACCESS_TTL_SECONDS}, {@code HTTP_BODY_LIMIT_BYTES} and the {@link MemberSettings} variables.
   */
  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      MemberSettings settings = MemberSettings.from(config);
      String mysqlUri = config.mysqlUri("member");
      return ServiceDeployment.steps(vertx, config)
        .migrate(mysqlUri, "classpath:db/member")
        .topics(List.of(Topics.MEMBER_EVENTS))
        .then(() -> AdminSeeder.seed(vertx, mysqlUri, settings))
        .outboxRelay(mysqlUri)
        .http(() -> new MemberVerticle(config, settings, metrics), MemberVerticle::port, settings.httpInstances())
        .start();
    });
  }
}
