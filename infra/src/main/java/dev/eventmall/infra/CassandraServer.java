package dev.eventmall.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real single-node Cassandra 5.0 ({@code CassandraDaemon} of {@code cassandra-all}) in a child JVM on JDK 11 or 17,
 * on 127.0.0.1, data center {@code datacenter1} (SimpleSnitch).
 */
public final class CassandraServer implements AutoCloseable {

  public static final String LOCAL_DATACENTER = "datacenter1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  /** From Cassandra's conf/jvm17-server.options. */
  private static final List<String> JDK17_OPTIONS = List.of(
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.main=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-opens", "jdk.attach/sun.tools.attach=ALL-UNNAMED");

  /**
   * @param port        native transport port, 0: free (dev: 9042)
   * @param storagePort inter-node port, 0: free (dev: 7000)
   * @param dataDir     null: a fresh work dir deleted on close; else kept and reused
   * @param ephemeral   true: fast throw-away node flags (unsafesystem, no gossip wait, periodic commitlog sync);
   *                    never for data that must survive a hard kill
   */
  public record Options(int port, int storagePort, Path dataDir, boolean ephemeral) {
    public static Options defaults() {
      return new Options(0, 0, null, false);
    }

    public Options port(int port) {
      return new Options(port, storagePort, dataDir, ephemeral);
    }

    public Options storagePort(int storagePort) {
      return new Options(port, storagePort, dataDir, ephemeral);
    }

    public Options dataDir(Path dataDir) {
      return new Options(port, storagePort, dataDir, ephemeral);
    }

    public Options ephemeral(boolean ephemeral) {
      return new Options(port, storagePort, dataDir, ephemeral);
    }
  }

  private final Path dir;
  private final boolean ownsDir;
  private final int port;
  private final Child node;

  private CassandraServer(Options options) {
    this.ownsDir = options.dataDir() == null;
    this.dir = ownsDir ? WorkDirs.create("cassandra") : options.dataDir().toAbsolutePath();
    int[] free = Ports.free(2); // distinct: two calls of Ports.free() can answer one port twice
    this.port = options.port() != 0 ? options.port() : free[0];
    int storagePort = options.storagePort() != 0 ? options.storagePort() : free[1];
    writeConfig(storagePort, options.ephemeral());
    String java = Jvm.java(major -> major == 11 || major == 17, "Cassandra 5.0");
    List<String> flags = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-Xss256k", "-XX:+UseG1GC",
        "-XX:PerfDataSamplingInterval=1000", // jstat counters once a second, not every 50 ms (20 wake-ups a second)
        "-Djava.net.preferIPv4Stack=true", "-Djdk.attach.allowAttachSelf=true",
        "-Dio.netty.tryReflectionSetAccessible=true", "-Dcassandra-foreground=yes",
        "-Dcassandra.config=" + dir.resolve("cassandra.yaml").toUri(),
        "-Dcassandra.storagedir=" + dir, "-Dcassandra.logdir=" + dir.resolve("logs"),
        "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
        // Cassandra's approximate clock ticks every 2 ms by default: 500 wake-ups a second, most of an idle node's CPU
        // (11 of 16 ms/s measured). At 20 ms it still cost 2.5 ms/s of an idle node (2.3-2.7 of 7.5-8.2); 100 ms is
        // ample for a one-node development server's timeouts (seconds) and metrics
        "-Dcassandra.approximate_time_precision_ms=100"));
    if (options.ephemeral()) {
      flags.addAll(List.of("-Dcassandra.skip_wait_for_gossip_to_settle=0", "-Dcassandra.ring_delay_ms=100",
          "-Dcassandra.superuser_setup_delay_ms=0", "-Dcassandra.shutdown_announce_in_ms=0",
          "-Dcassandra.auto_bootstrap=false", "-Dcassandra.unsafesystem=true"));
    }
    flags.addAll(JDK17_OPTIONS);
    this.node = new Child("cassandra", dir, dir.resolve("cassandra.log"), Jvm.command(java, flags,
        Jvm.classpath("cassandra"), "org.apache.cassandra.service.CassandraDaemon", List.of()))
        .disposable(ownsDir);
  }

  public static CassandraServer start() {
    return start(Options.defaults());
  }

  public static CassandraServer start(Options options) {
    return Ports.retryingBindRace(options.port() == 0 && options.storagePort() == 0, () -> startOnce(options));
  }

  private static CassandraServer startOnce(Options options) {
    long began = System.nanoTime();
    CassandraServer cassandra = new CassandraServer(options);
    try {
      cassandra.node.start().awaitReady(START_TIMEOUT, null, cassandra.port);
    } catch (RuntimeException e) {
      cassandra.close();
      throw e;
    }
    System.out.printf("[infra] Cassandra ready at %s in %d ms%n", cassandra.contactPoint(),
        (System.nanoTime() - began) / 1_000_000);
    return cassandra;
  }

  /** {@code 127.0.0.1:<port>} */
  public String contactPoint() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Clean shutdown (SIGTERM, SIGKILL after 30 s); {@link #startAgain()} brings it back on the same port and data. */
  public void stop() {
    node.stop(STOP_GRACE);
    System.out.printf("[infra] Cassandra on port %d stopped%n", port);
  }

  /**
   * SIGKILL, as a crash; {@link #startAgain()} brings it back (commit log replay). An {@code ephemeral} node syncs its
   * commit log every 10 s, so it may lose the last seconds of writes: use {@link #stop()} for those.
   */
  public void kill() {
    node.kill();
    System.out.printf("[infra] Cassandra on port %d SIGKILLed%n", port);
  }

  /** Starts it again after {@link #stop()} or {@link #kill()}, on the same port and data; waits until it is ready. */
  public void startAgain() {
    long began = System.nanoTime();
    node.start().awaitReady(START_TIMEOUT, null, port);
    System.out.printf("[infra] Cassandra on port %d started again in %d ms%n", port, (System.nanoTime() - began) / 1_000_000);
  }

  /** Clean stop and start on the same ports and data. */
  public void restart() {
    long began = System.nanoTime();
    node.stop(STOP_GRACE);
    node.start().awaitReady(START_TIMEOUT, null, port);
    System.out.printf("[infra] Cassandra restarted in %d ms%n", (System.nanoTime() - began) / 1_000_000);
  }

  /** With a data dir: clean shutdown. Without: kills the node and deletes its work dir. */
  @Override
  public void close() {
    if (ownsDir) {
      node.kill();
      WorkDirs.deleteRecursively(dir);
    } else {
      node.stop(STOP_GRACE);
    }
  }

  private void writeConfig(int storagePort, boolean ephemeral) {
    List<String> yaml = new ArrayList<>(List.of(
        "cluster_name: eventmall",
        "num_tokens: 1",
        "initial_token: 0",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"127.0.0.1:" + storagePort + "\"",
        "listen_address: 127.0.0.1",
        "rpc_address: 127.0.0.1",
        "storage_port: " + storagePort,
        "native_transport_port: " + port,
        "start_native_transport: true",
        "data_file_directories:",
        "  - " + dir.resolve("data"),
        "commitlog_directory: " + dir.resolve("commitlog"),
        "saved_caches_directory: " + dir.resolve("saved_caches"),
        "hints_directory: " + dir.resolve("hints"),
        "cdc_raw_directory: " + dir.resolve("cdc_raw"),
        "concurrent_compactors: 1",
        "authenticator: AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer"));
    if (ephemeral) {
      yaml.addAll(List.of("commitlog_sync: periodic", "commitlog_sync_period: 10000ms", "auto_snapshot: false",
          "hinted_handoff_enabled: false"));
    } else {
      yaml.addAll(List.of("commitlog_sync: periodic", "commitlog_sync_period: 10000ms"));
    }
    WorkDirs.write(dir.resolve("cassandra.yaml"), String.join("\n", yaml) + "\n");
    WorkDirs.write(dir.resolve("logback.xml"), String.join("\n",
        "<configuration>",
        "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
        "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
        "  </appender>",
        "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>",
        "</configuration>",
        ""));
  }
}
