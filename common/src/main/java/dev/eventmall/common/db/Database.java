package dev.eventmall.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/**
 * MySQL access for a service: a reactive pool from a {@code mysql://user[:password]@host:port/database} URI, and Flyway
 * migrations (JDBC, so run off the event loop) that create the database when it does not exist yet.
 */
public final class Database {
  /** Flyway location of the outbox and inbox tables; every service that uses them adds it to its own locations. */
  public static final String COMMON_MIGRATIONS = "classpath:db/common";

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private Database() {
  }

  /** MySQL/MariaDB's ER_DUP_ENTRY: a unique key refused the row. */
  public static final int DUPLICATE_KEY = 1062;

  /** Whether {@code err} is a unique key refusing a row (another writer got there first). */
  public static boolean isDuplicateKey(Throwable err) {
    return err instanceof io.vertx.mysqlclient.MySQLException e && e.getErrorCode() == DUPLICATE_KEY;
  }

  /**
   * The longest statement text kept prepared per connection. The client's default (2,048 characters) left the
   * batch path's larger multi-row inserts ({@link Sql#insert}) out of the cache: each of them was prepared, executed
   * and closed again, and a prepare answers with one definition packet per parameter (hundreds for a 64-row insert),
   * which the client decodes one by one: ~10 % of the services' CPU at 300-400 orders/s (RESULTS run 9). {@link Sql}
   * bounds every statement's parameters ({@link Sql#MAX_PARAMS}), so the texts it builds stay well below this.
   */
  public static final int PREPARED_SQL_LIMIT = 16_384;

  /**
   * A pool shared by every verticle instance that asks for the same {@code name}, with prepared statements cached
   * (up to {@link #PREPARED_SQL_LIMIT} characters each).
   */
  public static Pool pool(Vertx vertx, String mysqlUri, String name, int maxSize) {
    MySQLConnectOptions connect = MySQLConnectOptions.fromUri(mysqlUri)
      .setCachePreparedStatements(true)
      .setPreparedStatementCacheMaxSize(512);
    connect.setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT);
    PoolOptions pool = new PoolOptions().setMaxSize(maxSize).setShared(true).setName(name).setMaxWaitQueueSize(10_000);
    return MySQLBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  /**
   * Applies the migrations at {@code locations} (e.g. {@link #COMMON_MIGRATIONS}, {@code classpath:db/order}) to the
   * database named in {@code mysqlUri}, creating it first if needed. Runs on a worker thread.
   */
  public static Future<MigrateResult> migrate(Vertx vertx, String mysqlUri, String... locations) {
    return vertx.executeBlocking(() -> {
      Jdbc jdbc = Jdbc.of(mysqlUri);
      MigrateResult result = Flyway.configure()
        .dataSource(jdbc.serverUrl(), jdbc.user(), jdbc.password())
        .schemas(jdbc.database())
        .createSchemas(true)
        .locations(Stream.of(locations).toArray(String[]::new))
        // common (V0_x) and service (V1...) migrations are two independent series in one history: a new common one
        // must still be applied to a database whose service migrations are already past its number
        .outOfOrder(true)
        .load()
        .migrate();
      LOG.info("database {}: {} migrations applied, now at {}", jdbc.database(), result.migrationsExecuted,
        result.targetSchemaVersion);
      return result;
    }, false);
  }

  /** The JDBC view of a {@code mysql://} URI (Flyway speaks JDBC). */
  record Jdbc(String host, int port, String user, String password, String database) {
    static Jdbc of(String mysqlUri) {
      URI uri = URI.create(mysqlUri);
      if (!"mysql".equals(uri.getScheme()) && !"mariadb".equals(uri.getScheme())) {
        throw new IllegalArgumentException("MYSQL_URI must be mysql://user[:password]@host[:port]/database, got " + mysqlUri);
      }
      String userInfo = uri.getUserInfo() == null ? "root" : uri.getUserInfo();
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      String password = colon < 0 ? "" : userInfo.substring(colon + 1);
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      if (path.isEmpty()) {
        throw new IllegalArgumentException("MYSQL_URI names no database: " + mysqlUri);
      }
      return new Jdbc(uri.getHost(), uri.getPort() < 0 ? 3306 : uri.getPort(), user, password, path);
    }

    /** Server URL without a database (it may not exist yet); credentials go separately. */
    String serverUrl() {
      return "jdbc:mariadb://" + host + ":" + port + "/?allowPublicKeyRetrieval=true&user="
        + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }
  }
}
