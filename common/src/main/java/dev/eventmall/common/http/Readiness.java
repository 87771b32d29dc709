package dev.eventmall.common.http;

import dev.eventmall.common.kafka.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code /health/ready} checks of a service's HTTP verticle ({@link HttpBootstrap#healthChecks}): each store it
 * needs and Kafka, a check per name, UP when its probe answers in time. Made in the verticle's {@code start()};
 * {@link #close()} in its {@code stop()} closes the Kafka admin client it may have opened.
 * <pre>
 * readiness = Readiness.create(vertx).mysql(pool).kafka(config.kafkaBootstrapServers());
 * HttpBootstrap.builder(vertx).healthChecks(readiness.checks())...
 * </pre>
 */
public final class Readiness {
  /** How long the MySQL ping may take. */
  static final long MYSQL_TIMEOUT_MS = 2_000;
  /** How long describing the Kafka cluster may take. */
  static final long KAFKA_TIMEOUT_MS = 3_000;
  /** How long any other probe may take, by default. */
  static final long DEFAULT_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final HealthChecks checks;
  private KafkaAdminClient admin;

  private Readiness(Vertx vertx) {
    this.vertx = vertx;
    this.checks = HealthChecks.create(vertx);
  }

  public static Readiness create(Vertx vertx) {
    return new Readiness(vertx);
  }

  /** {@code mysql}: the pool answers {@code SELECT 1}. */
  public Readiness mysql(Pool pool) {
    return check("mysql", MYSQL_TIMEOUT_MS, () -> pool.query("SELECT 1").execute());
  }

  /**
   * {@code kafka}: the cluster at {@code bootstrapServers} describes itself with at least one broker, asked by one admin
   * client kept for the probes (closed by {@link #close()}).
   */
  public Readiness kafka(String bootstrapServers) {
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrapServers));
    KafkaAdminClient client = admin;
    return check("kafka", KAFKA_TIMEOUT_MS, () -> client.describeCluster()
      .compose(c -> c.getNodes().isEmpty() ? Future.failedFuture("no Kafka broker") : Future.succeededFuture()));
  }

  /** {@code name}: UP when {@code probe}'s future succeeds within {@value #DEFAULT_TIMEOUT_MS} ms. */
  public Readiness check(String name, Supplier<Future<?>> probe) {
    return check(name, DEFAULT_TIMEOUT_MS, probe);
  }

  /** {@code name}: UP when {@code probe}'s future succeeds within {@code timeoutMs}. */
  public Readiness check(String name, long timeoutMs, Supplier<Future<?>> probe) {
    checks.register(name, timeoutMs, promise -> {
      Future<?> answer;
      try {
        answer = probe.get();
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> Status.OK()).otherwise(Status.KO())
        .onComplete(promise);
    });
    return this;
  }

  /** {@code name}: always UP, with {@code data} (state worth seeing that does not make the service unready). */
  public Readiness info(String name, Supplier<JsonObject> data) {
    checks.register(name, promise -> promise.complete(Status.OK(data.get())));
    return this;
  }

  /** The checks, for {@link HttpBootstrap#healthChecks}. */
  public HealthChecks checks() {
    return checks;
  }

  /** Closes what the probes hold open (the Kafka admin client). */
  public Future<Void> close() {
    return admin == null ? Future.succeededFuture() : admin.close(KafkaConfig.ADMIN_CLOSE_MS);
  }
}
