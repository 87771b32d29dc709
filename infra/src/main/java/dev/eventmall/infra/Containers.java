package dev.eventmall.infra;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.cassandra.CassandraContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same servers as Testcontainers containers, for machines where a Docker engine answers. Never required: callers
 * check {@link #dockerAvailable()} first and otherwise use the local launchers ({@link KafkaCluster},
 * {@link MariaDbServer}, {@link RedisServer}, {@link CassandraServer}). Images match the production compose file.
 *
 * <p>Untested on the project's own build machines, which have no Docker engine; the code path is only taken where one
 * answers.
 */
public final class Containers {
  /** Compose's brokers are built FROM this image (ops/kafka/Dockerfile adds the tools to the PATH). */
  public static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  public static final String MARIADB_IMAGE = "mariadb:11.4";
  public static final String REDIS_IMAGE = "redis:7";
  public static final String CASSANDRA_IMAGE = "cassandra:5.0";

  private Containers() {
  }

  /** A started container and the address clients use. */
  public record Started(String endpoint, GenericContainer<?> container) implements AutoCloseable {
    @Override
    public void close() {
      container.stop();
    }
  }

  /** Whether Testcontainers finds a Docker engine it can use (false on any error, including a missing engine). */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable notUsable) {
      return false;
    }
  }

  /** Kafka in KRaft mode; endpoint = bootstrap servers. */
  public static Started kafka() {
    KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
    kafka.start();
    return new Started(kafka.getBootstrapServers(), kafka);
  }

  /** MariaDB; endpoint = {@code mysql://root:<password>@<host>:<port>} (no database selected). */
  public static Started mariaDb() {
    MariaDBContainer<?> db = new MariaDBContainer<>(DockerImageName.parse(MARIADB_IMAGE))
      .withUsername("root")
      .withPassword("eventmall-test");
    db.start();
    return new Started("mysql://root:eventmall-test@" + db.getHost() + ":" + db.getMappedPort(3306), db);
  }

  /** Redis; endpoint = {@code redis://<host>:<port>}. */
  public static Started redis() {
    GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE)).withExposedPorts(6379);
    redis.start();
    return new Started("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379), redis);
  }

  /** Cassandra; endpoint = {@code <host>:<port>} (data center {@code datacenter1}). */
  public static Started cassandra() {
    CassandraContainer cassandra = new CassandraContainer(DockerImageName.parse(CASSANDRA_IMAGE));
    cassandra.start();
    return new Started(cassandra.getContactPoint().getHostString() + ":" + cassandra.getContactPoint().getPort(),
      cassandra);
  }
}
