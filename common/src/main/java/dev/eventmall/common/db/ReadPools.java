package dev.eventmall.common.db;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where a service's reads go: the primary's pool, or — when {@code MYSQL_READ_URI} names a read replica — the
 * replica's. Writes and everything inside a transaction always use {@link #primary()}.
 *
 * <p><b>Read-your-writes.</b> A replica applies the primary's commits a little later (milliseconds, more under load or
 * while replication is stopped). A client that reads right after its own write must not see the state before it
 * (e.g. a 404 for the order it just placed). So a write answers with the primary's GTID position after its commit
 * (MariaDB {@code @@gtid_binlog_pos}, MySQL {@code @@gtid_executed}; either covers that commit) in the response header
 * {@value #TOKEN_HEADER}; a client that sends the header back on a read is served from the replica only once the
 * replica has applied that position (MariaDB {@code MASTER_GTID_WAIT(pos, timeout)}, MySQL
 * {@code WAIT_FOR_EXECUTED_GTID_SET(set, timeout)}; at most {@code MYSQL_READ_WAIT_MS}, default
 * {@value #DEFAULT_WAIT_MS} ms), else from the primary. The token is a plain GTID list (no cookie, no server state): anything that carries it back gets at least
 * the state it names; a read without it may be as old as the replica's lag ({@code eventmall_mysql_replica_lag_seconds}).
 * Without a replica there is no token and every read is on the primary.
 */
public final class ReadPools {
  /** Response header of writes and request header of reads: the GTID position a read must see. */
  public static final String TOKEN_HEADER = "X-Read-After";
  /** {@code MYSQL_READ_WAIT_MS}: how long a read waits for the replica to reach its token before using the primary. */
  public static final String WAIT_MS = "MYSQL_READ_WAIT_MS";
  public static final long DEFAULT_WAIT_MS = 250;
  /** MariaDB's GTID list: {@code domain-server-seq} entries, comma separated. */
  private static final Pattern MARIADB_TOKEN = Pattern.compile("\\d{1,10}-\\d{1,10}-\\d{1,20}(,\\d{1,10}-\\d{1,10}-\\d{1,20}){0,31}");
  /** MySQL's GTID set: {@code uuid[:tag]:interval[:interval]} entries, comma separated. */
  private static final Pattern MYSQL_TOKEN = Pattern.compile(
    "[0-9a-fA-F-]{36}(:[A-Za-z_][A-Za-z0-9_]{0,31})?(:\\d{1,20}(-\\d{1,20})?)+(,[0-9a-fA-F-]{36}(:[A-Za-z_][A-Za-z0-9_]{0,31})?(:\\d{1,20}(-\\d{1,20})?)+){0,31}");
  private static final int TOKEN_MAX = 4096;

  /** The GTID statements of the server flavour: MariaDB's and MySQL's differ. */
  private enum Dialect {
    MARIADB("SELECT @@GLOBAL.gtid_binlog_pos", "SELECT MASTER_GTID_WAIT(?, ?)"),
    MYSQL("SELECT @@GLOBAL.gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)");

    final String position;
    /** 0 once the replica has applied the position; MariaDB -1 / MySQL 1 after the timeout. */
    final String waitFor;

    Dialect(String position, String waitFor) {
      this.position = position;
      this.waitFor = waitFor;
    }
  }

  private final Pool primary;
  private final Pool replica;
  private final double waitSeconds;
  /** Learnt from the primary's {@code VERSION()} on first use (again after a failed attempt). */
  private volatile Future<Dialect> dialect;

  private ReadPools(Pool primary, Pool replica, long waitMs) {
    this.primary = primary;
    this.replica = replica;
    this.waitSeconds = waitMs / 1000.0;
  }

  /** Every read on the primary (no replica configured). */
  public static ReadPools primaryOnly(Pool primary) {
    return new ReadPools(primary, null, 0);
  }

  /**
   * The primary pool and, if {@code MYSQL_READ_URI} is set, a shared pool {@code <name>-read} of {@code maxSize}
   * connections to the replica's copy of {@code database}.
   */
  public static ReadPools create(Vertx vertx, Config config, String database, Pool primary, String name, int maxSize) {
    Optional<String> readUri = config.mysqlReadUri(database);
    return readUri.map(uri -> new ReadPools(primary, Database.pool(vertx, uri, name + "-read", maxSize),
        config.getLong(WAIT_MS, DEFAULT_WAIT_MS)))
      .orElseGet(() -> primaryOnly(primary));
  }

  public Pool primary() {
    return primary;
  }

  public boolean hasReplica() {
    return replica != null;
  }

  /** The pool for reads that may lag (no token): the replica if there is one. */
  public Pool reads() {
    return replica != null ? replica : primary;
  }

  /**
   * The pool for a read that must see {@code token} (null: any state): the replica once it has applied it (waiting at
   * most {@code MYSQL_READ_WAIT_MS}), else the primary. An unreachable replica also sends the read to the primary.
   */
  public Future<Pool> readsAfter(String token) {
    if (replica == null || token == null) {
      return Future.succeededFuture(reads());
    }
    return dialect().compose(d -> replica.preparedQuery(d.waitFor).execute(Tuple.of(token, waitSeconds)))
      .map(rows -> {
        Row row = rows.iterator().next();
        Integer reached = row.getInteger(0);
        return reached != null && reached == 0 ? replica : primary;
      })
      .otherwise(primary);
  }

  /**
   * Runs the read-only {@code query} on {@link #readsAfter(String) the pool for readToken}; if that is the replica and
   * it cannot be reached (connection refused or closed), runs it again on the primary: a replica that is down costs
   * the primary more reads, not failed requests. {@code query} must only read (it may run twice).
   */
  public <T> Future<T> read(String readToken, Function<SqlClient, Future<T>> query) {
    return readsAfter(readToken).compose(pool -> {
      Future<T> result = query.apply(pool);
      return pool != replica ? result
        : result.recover(err -> unreachable(err) ? query.apply(primary) : Future.failedFuture(err));
    });
  }

  private static boolean unreachable(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof ClosedConnectionException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The token a write's response carries, read after the write committed: the primary's binlog GTID position (which
   * includes the write). Empty without a replica (nothing to wait for) or when the primary logs no GTIDs.
   */
  public Future<Optional<String>> tokenAfterWrite() {
    if (replica == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return dialect().compose(d -> primary.query(d.position).execute()).map(rows -> {
      String pos = rows.iterator().next().getString(0);
      // MySQL breaks a long gtid_executed over lines: a header value cannot hold them
      String token = pos == null ? "" : pos.replaceAll("\\s+", "");
      return token.isEmpty() ? Optional.<String>empty() : Optional.of(token);
    });
  }

  private Future<Dialect> dialect() {
    Future<Dialect> known = dialect;
    if (known == null || known.failed()) {
      known = primary.query("SELECT VERSION()").execute()
        .map(rows -> rows.iterator().next().getString(0).contains("MariaDB") ? Dialect.MARIADB : Dialect.MYSQL);
      dialect = known;
    }
    return known;
  }

  /** Sets {@value #TOKEN_HEADER} on the response to the token of the write that just committed (if any). */
  public Future<Void> putToken(RoutingContext ctx) {
    return tokenAfterWrite().map(token -> {
      token.ifPresent(t -> ctx.response().putHeader(TOKEN_HEADER, t));
      return null;
    });
  }

  /** The {@value #TOKEN_HEADER} a read request carries (null when none); 400 when it is not a GTID list. */
  public static String token(RoutingContext ctx) {
    String token = ctx.request().getHeader(TOKEN_HEADER);
    if (token == null || token.isBlank()) {
      return null;
    }
    String t = token.trim();
    if (t.length() > TOKEN_MAX || !MARIADB_TOKEN.matcher(t).matches() && !MYSQL_TOKEN.matcher(t).matches()) {
      throw ProblemException.badRequest(TOKEN_HEADER + " must be the value a write answered with (a GTID position)");
    }
    return t;
  }
}
