package dev.eventmall.common.testing;

import dev.eventmall.infra.CassandraServer;
import dev.eventmall.infra.Containers;
import dev.eventmall.infra.KafkaCluster;
import dev.eventmall.infra.MariaDbServer;
import dev.eventmall.infra.RedisServer;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Real servers for tests, shared by the whole test JVM: each is started lazily on first use and stopped by a shutdown
 * hook. An environment variable wins over starting anything: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code MYSQL_URI},
 * {@code REDIS_URL}, {@code CASSANDRA_CONTACT_POINTS} (+ {@code CASSANDRA_LOCAL_DC}). Otherwise, where a Docker engine
 * answers, they are Testcontainers containers ({@code dev.eventmall.infra.Containers}; {@code EVENTMALL_TEST_INFRA=local}
 * opts out); without Docker they come from {@code dev.eventmall:infra} (child processes bound to 127.0.0.1).
 *
 * <p>Tests isolate by database ({@link #freshDatabase(String)}), topic names and key prefixes, not by server.
 */
public final class TestInfra {

  public static final String DEFAULT_CASSANDRA_LOCAL_DC = "datacenter1";

  private static final Shared KAFKA = new Shared("KAFKA_BOOTSTRAP_SERVERS", () -> {
    KafkaCluster kafka = KafkaCluster.start();
    stopOnExit(kafka);
    return kafka.bootstrapServers();
  }, () -> container(Containers.kafka()));
  private static final Shared MYSQL = new Shared("MYSQL_URI", () -> {
    MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults().fastCommits(true));
    stopOnExit(db);
    localMysql = db;
    return db.uri();
  }, () -> container(Containers.mariaDb()));
  private static final Shared REDIS = new Shared("REDIS_URL", () -> {
    RedisServer redis = RedisServer.start();
    stopOnExit(redis);
    localRedis = redis;
    return redis.url();
  }, () -> container(Containers.redis()));
  private static final Shared CASSANDRA = new Shared("CASSANDRA_CONTACT_POINTS", () -> {
    CassandraServer cassandra = CassandraServer.start(CassandraServer.Options.defaults().ephemeral(true));
    stopOnExit(cassandra);
    localCassandra = cassandra;
    return cassandra.contactPoint();
  }, () -> container(Containers.cassandra()));
  private static final AtomicInteger DATABASES = new AtomicInteger();
  /** The servers this JVM started itself (not set for an environment override or a container): fault tests. */
  private static volatile MariaDbServer localMysql;
  private static volatile RedisServer localRedis;
  private static volatile CassandraServer localCassandra;
  /**
   * Testcontainers instead of local servers: only where a Docker engine answers, and not when
   * {@code EVENTMALL_TEST_INFRA=local} asks for the local servers anyway.
   */
  private static final boolean DOCKER = !"local".equalsIgnoreCase(System.getenv("EVENTMALL_TEST_INFRA"))
      && dockerReachable() && Containers.dockerAvailable();

  private TestInfra() {
  }

  /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:40123}. */
  public static String kafka() {
    return KAFKA.get();
  }

  /** {@code mysql://root@127.0.0.1:<port>} (or MYSQL_URI): the server, no database selected. */
  public static String mysqlUri() {
    return MYSQL.get();
  }

  /** {@code redis://127.0.0.1:<port>} */
  public static String redisUrl() {
    return REDIS.get();
  }

  /** {@code 127.0.0.1:<port>}: the first of CASSANDRA_CONTACT_POINTS if set. */
  public static String cassandraContactPoint() {
    return CASSANDRA.get().split(",")[0].trim();
  }

  /** CASSANDRA_LOCAL_DC, else {@code datacenter1}. */
  public static String cassandraLocalDc() {
    return Optional.ofNullable(System.getenv("CASSANDRA_LOCAL_DC")).filter(s -> !s.isBlank())
        .orElse(DEFAULT_CASSANDRA_LOCAL_DC);
  }

  /**
   * The MariaDB server this JVM started (after {@link #mysqlUri()}), for tests that stop, kill or restart it; empty
   * when MYSQL_URI or a container provides the server.
   */
  public static Optional<MariaDbServer> localMysql() {
    return Optional.ofNullable(localMysql);
  }

  /** The Redis server this JVM started (after {@link #redisUrl()}); empty for REDIS_URL or a container. */
  public static Optional<RedisServer> localRedis() {
    return Optional.ofNullable(localRedis);
  }

  /** The Cassandra node this JVM started (after {@link #cassandraContactPoint()}); empty otherwise. */
  public static Optional<CassandraServer> localCassandra() {
    return Optional.ofNullable(localCassandra);
  }

  /** Starts (in parallel) what is not running yet. */
  public static void start(Infra... needed) {
    List<CompletableFuture<?>> starts = new ArrayList<>();
    for (Infra infra : needed) {
      Shared shared = switch (infra) {
        case KAFKA -> KAFKA;
        case MYSQL -> MYSQL;
        case REDIS -> REDIS;
        case CASSANDRA -> CASSANDRA;
      };
      // own threads: the common pool has a single thread on a 2-core machine
      CompletableFuture<String> started = new CompletableFuture<>();
      Thread starter = new Thread(() -> {
        try {
          started.complete(shared.get());
        } catch (Throwable t) {
          started.completeExceptionally(t);
        }
      }, "test-infra-start-" + infra.name().toLowerCase(Locale.ROOT));
      starter.setDaemon(true);
      starter.start();
      starts.add(started);
    }
    try {
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException("starting " + List.of(needed) + " failed", e.getCause());
    }
  }

  /**
   * Creates a new empty database named {@code <prefix>_<n>_<random>} and returns its URI,
   * {@code mysql://root@127.0.0.1:<port>/<name>} (query parameters of MYSQL_URI kept).
   */
  public static String freshDatabase(String prefix) {
    URI server = URI.create(mysqlUri());
    String name = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet()
        + "_" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6));
    String userInfo = Optional.ofNullable(server.getUserInfo()).orElse("root");
    String user = userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) : userInfo;
    String password = userInfo.contains(":") ? userInfo.substring(userInfo.indexOf(':') + 1) : "";
    String jdbc = "jdbc:mariadb://" + server.getHost() + ":" + (server.getPort() > 0 ? server.getPort() : 3306) + "/";
    try (Connection c = DriverManager.getConnection(jdbc, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE `" + name + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + " on " + jdbc, e);
    }
    String query = server.getRawQuery() == null ? "" : "?" + server.getRawQuery();
    return server.getScheme() + "://" + server.getRawAuthority() + "/" + name + query;
  }

  private static String container(Containers.Started started) {
    stopOnExit(started);
    return started.endpoint();
  }

  private static void stopOnExit(AutoCloseable server) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("[test-infra] stopping " + server + " failed: " + e);
      }
    }, "test-infra-stop"));
  }

  /**
   * Whether a Docker engine answers ({@code DOCKER_HOST} set, or {@code /var/run/docker.sock} answering
   * {@code GET /_ping}).
   */
  static boolean dockerReachable() {
    if (Optional.ofNullable(System.getenv("DOCKER_HOST")).filter(s -> !s.isBlank()).isPresent()) {
      return true;
    }
    Path socket = Path.of("/var/run/docker.sock");
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer answer = ByteBuffer.allocate(256);
      channel.read(answer);
      return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).contains(" 200 ");
    } catch (Exception e) {
      return false;
    }
  }

  /** One lazily started value per JVM: the environment override, else the started server's address. */
  private static final class Shared {
    private final String env;
    private final Supplier<String> starter;
    private final Supplier<String> container;
    private volatile String value;

    Shared(String env, Supplier<String> starter, Supplier<String> container) {
      this.env = env;
      this.starter = starter;
      this.container = container;
    }

    String get() {
      String v = value;
      if (v != null) {
        return v;
      }
      synchronized (this) {
        if (value == null) {
          String configured = System.getenv(env);
          if (configured != null && !configured.isBlank()) {
            value = configured.trim();
          } else {
            value = DOCKER ? container.get() : starter.get();
          }
        }
        return value;
      }
    }
  }
}
