package dev.eventmall.devstack;

import dev.eventmall.infra.CassandraServer;
import dev.eventmall.infra.KafkaCluster;
import dev.eventmall.infra.MariaDbServer;
import dev.eventmall.infra.Ports;
import dev.eventmall.infra.RedisServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The dev infrastructure on its fixed ports, data kept under a home dir: Kafka 9092 (or 9092-9094 with three
 * brokers), MariaDB 3306, Redis 6379, Cassandra 9042 (storage 7000).
 */
public final class InfraStack implements AutoCloseable {

  public static final int KAFKA_PORT = 9092;
  public static final int MYSQL_PORT = 3306;
  /** The MariaDB read replica's port ({@code --read-replica}). */
  public static final int MYSQL_REPLICA_PORT = 3307;
  public static final int REDIS_PORT = 6379;
  public static final int CASSANDRA_PORT = 9042;
  public static final int CASSANDRA_STORAGE_PORT = 7000;

  private final List<AutoCloseable> started = new ArrayList<>();
  private KafkaCluster kafka;
  private MariaDbServer mysql;
  private MariaDbServer mysqlReplica;
  private RedisServer redis;
  private CassandraServer cassandra;

  private InfraStack() {
  }

  /** Starts the four servers in parallel; on any failure stops what did start and throws. */
  public static InfraStack start(Path home, boolean kafkaCluster) {
    return start(home, kafkaCluster, 0);
  }

  /** As {@link #start(Path, boolean)} with every port moved by {@code portOffset} (Kafka's controllers included). */
  public static InfraStack start(Path home, boolean kafkaCluster, int portOffset) {
    return start(home, kafkaCluster, portOffset, false);
  }

  /**
   * As {@link #start(Path, boolean, int)}; with {@code readReplica} MariaDB is a primary (binary log on) followed by a
   * GTID replica on {@link #MYSQL_REPLICA_PORT} (data in {@code <home>/mariadb-replica}), whose URI {@link #env()}
   * gives the services as {@code MYSQL_READ_URI}. The replica is seeded afresh at every start, a cold copy of the
   * primary's data dir made before the primary starts: whatever the primary went through while no replica followed it
   * (a devstack without {@code --read-replica}), the replica starts equal to it.
   */
  public static InfraStack start(Path home, boolean kafkaCluster, int portOffset, boolean readReplica) {
    return start(home, kafkaCluster ? 3 : 1, portOffset, readReplica);
  }

  /** As {@link #start(Path, boolean, int, boolean)} with {@code brokers} Kafka brokers (KRaft, each also a voter). */
  public static InfraStack start(Path home, int brokers, int portOffset, boolean readReplica) {
    List<Integer> ports = new ArrayList<>(ports(brokers, portOffset));
    if (readReplica) {
      ports.add(MYSQL_REPLICA_PORT + portOffset);
    }
    for (int port : ports) {
      if (Ports.accepts(port)) {
        throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use: is another devstack running?");
      }
    }
    InfraStack stack = new InfraStack();
    CompletableFuture<Void> kafka = async(() -> stack.kafka = stack.keep(KafkaCluster.start(KafkaCluster.Options
        .defaults().brokers(brokers).fixedPorts(KAFKA_PORT + portOffset).dataDir(home.resolve("kafka-" + brokers)))));
    CompletableFuture<Void> mysql = async(() -> {
      MariaDbServer.Options primary = MariaDbServer.Options.defaults().port(MYSQL_PORT + portOffset)
          .dataDir(home.resolve("mariadb")).bufferPool(mysqlBufferPool());
      if (!readReplica) {
        stack.mysql = stack.keep(MariaDbServer.start(primary));
        return;
      }
      long began = System.nanoTime();
      MariaDbServer.seedReplica(home.resolve("mariadb"), home.resolve("mariadb-replica"));
      System.out.printf("[devstack] read replica seeded from the primary's data in %d ms%n",
          (System.nanoTime() - began) / 1_000_000);
      stack.mysql = stack.keep(MariaDbServer.start(primary.primary()));
      stack.mysqlReplica = stack.keep(MariaDbServer.startReplica(stack.mysql, 2, MariaDbServer.Options.defaults()
          .port(MYSQL_REPLICA_PORT + portOffset).dataDir(home.resolve("mariadb-replica")).bufferPool("512M")));
    });
    CompletableFuture<Void> redis = async(() -> stack.redis = stack.keep(RedisServer.start(REDIS_PORT + portOffset)));
    CompletableFuture<Void> cassandra = async(() -> stack.cassandra = stack.keep(CassandraServer.start(
        CassandraServer.Options.defaults().port(CASSANDRA_PORT + portOffset).storagePort(CASSANDRA_STORAGE_PORT + portOffset)
            .dataDir(home.resolve("cassandra")))));
    try {
      CompletableFuture.allOf(kafka, mysql, redis, cassandra).join();
    } catch (CompletionException e) {
      stack.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return stack;
  }

  /**
   * Every port the servers listen on: MariaDB, Redis, Cassandra (native, storage), each Kafka broker and its controller
   * ({@code KafkaCluster}: broker port + 20000).
   */
  static List<Integer> ports(int brokers, int portOffset) {
    List<Integer> ports = new ArrayList<>();
    for (int port : List.of(MYSQL_PORT, REDIS_PORT, CASSANDRA_PORT, CASSANDRA_STORAGE_PORT)) {
      ports.add(port + portOffset);
    }
    for (int i = 0; i < brokers; i++) {
      ports.add(KAFKA_PORT + portOffset + i);
      ports.add(KAFKA_PORT + portOffset + i + 20000);
    }
    return ports;
  }

  /** The environment variables services read, pointing at this stack. */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("MYSQL_URI", mysql.uri());
    if (mysqlReplica != null) {
      env.put("MYSQL_READ_URI", mysqlReplica.uri());
    }
    env.put("REDIS_URL", redis.url());
    env.put("CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
    env.put("CASSANDRA_LOCAL_DC", CassandraServer.LOCAL_DATACENTER);
    return env;
  }

  public KafkaCluster kafka() {
    return kafka;
  }

  /** Stops everything that was started, in reverse order. */
  @Override
  public synchronized void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("[devstack] stopping " + started.get(i) + " failed: " + e);
      }
    }
    started.clear();
  }

  private synchronized <T extends AutoCloseable> T keep(T server) {
    started.add(server);
    return server;
  }

  /**
   * MariaDB's buffer pool: {@code DEVSTACK_MYSQL_BUFFER_POOL} (e.g. {@code 512M}), default 1G, so that the data a few
   * benches leave in {@code .devstack/mariadb} is read from memory, not from disk.
   */
  static String mysqlBufferPool() {
    String configured = System.getenv("DEVSTACK_MYSQL_BUFFER_POOL");
    return configured == null || configured.isBlank() ? "1G" : configured.trim();
  }

  private static CompletableFuture<Void> async(Runnable start) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        start.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }, "devstack-start");
    thread.setDaemon(true);
    thread.start();
    return done;
  }
}
