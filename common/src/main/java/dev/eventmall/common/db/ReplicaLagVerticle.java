package dev.eventmall.common.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import dev.eventmall.common.config.Config;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a read replica's state every {@code intervalMs}, off the request path, from {@code SHOW REPLICA STATUS}
 * (the replica's read user needs MariaDB's {@code SLAVE MONITOR} or MySQL's {@code REPLICATION CLIENT}), into two
 * gauges tagged {@code database}:
 * <ul>
 *   <li>{@code eventmall_mysql_replica_lag_seconds}: {@code Seconds_Behind_Master} (MariaDB) /
 *   {@code Seconds_Behind_Source} (MySQL 8.4); NaN when unknown (replication stopped, replica unreachable)</li>
 *   <li>{@code eventmall_mysql_replica_running}: 1 while both replication threads run and the replica answers, else 0</li>
 * </ul>
 * Deploy one per service (a single instance), only when a replica is configured.
 */
public final class ReplicaLagVerticle extends VerticleBase {
  /** {@code MYSQL_REPLICA_LAG_INTERVAL_MS}: how often the replica's state is sampled, default 5000. */
  public static final String INTERVAL_MS = "MYSQL_REPLICA_LAG_INTERVAL_MS";
  public static final String LAG = "eventmall.mysql.replica.lag";
  public static final String RUNNING = "eventmall.mysql.replica.running";
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLagVerticle.class);

  private final String readUri;
  private final String database;
  private final MeterRegistry registry;
  private final long intervalMs;
  private volatile double lagSeconds = Double.NaN;
  private volatile double running;
  private Pool pool;
  private Gauge lagGauge;
  private Gauge runningGauge;

  public ReplicaLagVerticle(String readUri, String database, MeterRegistry registry, long intervalMs) {
    this.readUri = readUri;
    this.database = database;
    this.registry = registry;
    this.intervalMs = intervalMs;
  }

  /**
   * Deploys the sampler for {@code database} if {@code MYSQL_READ_URI} is set; the deployment id, or null when no
   * replica is configured.
   */
  public static Future<String> deployIfConfigured(Vertx vertx, Config config, String database, MeterRegistry registry) {
    return config.mysqlReadUri(database)
      .map(uri -> vertx.deployVerticle(new ReplicaLagVerticle(uri, database, registry,
        config.getLong(INTERVAL_MS, 5_000))))
      .orElse(Future.succeededFuture(null));
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, readUri, database + "-replica-lag", 1);
    lagGauge = Gauge.builder(LAG, this, v -> v.lagSeconds).baseUnit("seconds").tag("database", database)
      .description("How far the read replica is behind the primary (Seconds_Behind_Master); NaN when unknown")
      .register(registry);
    runningGauge = Gauge.builder(RUNNING, this, v -> v.running).tag("database", database)
      .description("1 while the read replica's replication threads run, else 0")
      .register(registry);
    vertx.setPeriodic(0, intervalMs, id -> sample());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    registry.remove(lagGauge);
    registry.remove(runningGauge);
    return Future.succeededFuture();
  }

  private void sample() {
    pool.query("SHOW REPLICA STATUS").execute().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("replica status of {} not readable: {}", database, ar.cause().toString());
        lagSeconds = Double.NaN;
        running = 0;
        return;
      }
      RowSet<Row> rows = ar.result();
      if (!rows.iterator().hasNext()) {
        lagSeconds = Double.NaN;
        running = 0;
        return;
      }
      Row row = rows.iterator().next();
      // MariaDB keeps the old column names in SHOW REPLICA STATUS; MySQL 8.4 has only the new ones
      boolean mysql = row.getColumnIndex("Seconds_Behind_Source") >= 0;
      Long behind = row.getLong(mysql ? "Seconds_Behind_Source" : "Seconds_Behind_Master");
      boolean threads = "Yes".equals(row.getString(mysql ? "Replica_IO_Running" : "Slave_IO_Running"))
        && "Yes".equals(row.getString(mysql ? "Replica_SQL_Running" : "Slave_SQL_Running"));
      lagSeconds = behind == null ? Double.NaN : behind;
      running = threads ? 1 : 0;
    });
  }
}
