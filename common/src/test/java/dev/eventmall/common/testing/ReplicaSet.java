package dev.eventmall.common.testing;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.db.ReplicaLagVerticle;
import dev.eventmall.infra.MariaDbServer;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;

/**
 * A real MariaDB primary and a GTID replica of it (server id 2), both started by this test, for read-replica tests:
 * {@link #env()} points a service at them ({@code MYSQL_URI} the primary, {@code MYSQL_READ_URI} the replica, the lag
 * sampled every 200 ms, reads waiting 300 ms for a position); {@link #stopReplication}/{@link #startReplication} hold
 * the replica back so that a test can tell which server answered.
 *
 * <p>A JUnit extension: registered on a static field ({@code @RegisterExtension static final ReplicaSet REPLICAS =
 * new ReplicaSet();}) it starts both servers before the class's {@code @BeforeAll} methods (which deploy the service on
 * them) and stops them after its {@code @AfterAll} methods (which undeploy it).
 */
public final class ReplicaSet implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private MariaDbServer primary;
  private MariaDbServer replica;
  private Pool admin;

  /** Starts the primary, then the replica following it. */
  public void start() {
    primary = MariaDbServer.start(MariaDbServer.Options.defaults().fastCommits(true).primary());
    replica = MariaDbServer.startReplica(primary, 2, MariaDbServer.Options.defaults().fastCommits(true));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** The settings that make a service write to the primary and read on the replica. */
  public Map<String, String> env() {
    return Map.of(Config.MYSQL_URI, primary.uri(), Config.MYSQL_READ_URI, replica.uri(),
      ReplicaLagVerticle.INTERVAL_MS, "200", ReadPools.WAIT_MS, "300");
  }

  public MariaDbServer primary() {
    return primary;
  }

  public MariaDbServer replica() {
    return replica;
  }

  /** Opens the pool (as root on the replica's {@code database}) that {@link #stopReplication} and {@link #startReplication} use. */
  public void connect(Vertx vertx, String database) {
    admin = Database.pool(vertx, replica.rootUri() + "/" + database, database + "-replica-admin", 1);
  }

  /** {@code STOP SLAVE} on the replica: it keeps what it has and gets nothing more until {@link #startReplication}. */
  public void stopReplication() {
    Await.result(admin().query("STOP SLAVE").execute());
  }

  /** {@code START SLAVE} on the replica: it catches up. */
  public void startReplication() {
    Await.result(admin().query("START SLAVE").execute());
  }

  private Pool admin() {
    if (admin == null) {
      throw new IllegalStateException("connect(vertx, database) first");
    }
    return admin;
  }

  /** Closes the admin pool, then stops the replica and the primary (what of them was started). */
  @Override
  public void close() {
    try {
      if (admin != null) {
        Await.result(admin.close());
        admin = null;
      }
    } finally {
      try {
        if (replica != null) {
          replica.close();
        }
      } finally {
        if (primary != null) {
          primary.close();
        }
        replica = null;
        primary = null;
      }
    }
  }
}
