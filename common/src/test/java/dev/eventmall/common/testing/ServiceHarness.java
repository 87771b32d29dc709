package dev.eventmall.common.testing;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One service deployed for a test class through its {@code <Service>App.deploy} over the test JVM's real servers, with
 * what its tests share: an {@link EventProbe} on its topics, a MySQL pool on the service's database for assertions
 * on rows, and {@link #close()} that undeploys it (so its consumer groups leave
 * before the next class joins them with a database of its own). What is specific to a service (emulators, Cassandra,
 * the requests its API takes, the events it consumes) stays in the service's {@code *TestSupport}.
 */
public final class ServiceHarness implements AutoCloseable {
  /** How long a deployment (migrations, topics, consumer groups) may take. */
  public static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);
  /** How long {@link #awaitRow} waits. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final ServiceDeployment deployment;
  private final Pool db;
  private final EventProbe events;

  private ServiceHarness(Vertx vertx, ServiceDeployment deployment, Pool db, EventProbe events) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.db = db;
    this.events = events;
  }

  /**
   * The settings every service test starts from: HTTP on a free port, a fresh database named after
   * {@code databasePrefix}, the test Kafka and {@code jwtSecret}. Mutable: the test adds its own.
   */
  public static Map<String, String> env(String databasePrefix, String jwtSecret) {
    Map<String, String> env = new HashMap<>();
    env.put(Config.HTTP_PORT, "0");
    env.put(Config.MYSQL_URI, TestInfra.freshDatabase(databasePrefix));
    env.put(Config.KAFKA_BOOTSTRAP_SERVERS, TestInfra.kafka());
    env.put(Config.JWT_SECRET, jwtSecret);
    return env;
  }

  /**
   * Deploys the service ({@code deploy}, e.g. {@code c -> OrderApp.deploy(vertx, c, metrics)}) with {@code config};
   * opens a pool on its {@code database} (as {@code config} names it) and reads {@code readTopics} from their
   * beginning.
   */
  public static ServiceHarness deploy(Vertx vertx, Config config, Function<Config, Future<ServiceDeployment>> deploy,
                                      String database, String... readTopics) {
    ServiceDeployment deployment = Await.result(deploy.apply(config), DEPLOY_TIMEOUT);
    Pool db = Database.pool(vertx, config.mysqlUri(database), database + "-test-assertions-" + UUID.randomUUID(), 2);
    return new ServiceHarness(vertx, deployment, db, EventProbe.onTestKafka(readTopics));
  }

  public ServiceDeployment deployment() {
    return deployment;
  }

  public int httpPort() {
    return deployment.httpPort();
  }

  /** A pool on the service's database, for assertions. */
  public Pool db() {
    return db;
  }

  public EventProbe events() {
    return events;
  }

  /** One row as JSON, or null when there is none. */
  public JsonObject row(String sql, Object... params) {
    var rows = Await.result(db.preparedQuery(sql).execute(Tuple.wrap(params)));
    return rows.size() == 0 ? null : rows.iterator().next().toJson();
  }

  /** The column {@code n} of a {@code SELECT COUNT(*) AS n ...}. */
  public long count(String sql, Object... params) {
    return row(sql, params).getLong("n");
  }

  /** Waits up to {@link #WAIT} until {@code sql} finds a row. */
  public void awaitRow(String what, String sql, Object... params) {
    Await.until(what, WAIT, () -> row(sql, params) != null);
  }

  /**
   * Waits up to {@link #WAIT} until at least {@code n} statements whose text is LIKE {@code statement} are executing
   * on the service's database (prepared, as the services run them): transactions held up on a lock the test took, say.
   * MariaDB's INNODB_TRX does not list such waits reliably; the process list does. A timeout says what was running.
   */
  public void awaitExecuting(String what, String statement, int n) {
    Await.until(() -> what + "; running: " + Await.result(db.query("SELECT command, state, time, info FROM "
        + "information_schema.PROCESSLIST WHERE command <> 'Sleep'").execute()).stream().map(Row::toJson).toList(),
      WAIT, () -> count("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE command = 'Execute' "
        + "AND info LIKE ? AND id <> CONNECTION_ID()", statement) >= n);
  }

  /** A problem+json answer with {@code status}. */
  public static void assertProblem(HttpResponse<Buffer> res, int status) {
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(status);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(res.bodyAsJsonObject().getInteger("status")).isEqualTo(status);
  }

  /** Stops reading and publishing, closes the pool and undeploys the service (waiting for its consumers to leave). */
  @Override
  public void close() throws InterruptedException {
    close(deployment);
  }

  /**
   * As {@link #close()}, undeploying {@code running}: the deployment a test started in place of this one (a restart)
   * after undeploying it.
   */
  public void close(ServiceDeployment running) throws InterruptedException {
    try {
      events.close();
      Await.result(db.close());
    } finally {
      Await.shutDown(running.undeploy(vertx));
    }
  }
}
