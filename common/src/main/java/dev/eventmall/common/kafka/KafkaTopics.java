package dev.eventmall.common.kafka;

import dev.eventmall.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Creates topics that do not exist yet, with a replication factor no larger than the cluster. */
public final class KafkaTopics {
  /**
   * Setting: partitions of the topics a service creates (default 3). It caps how many replicas of a consumer group share
   * a topic's work. Only new topics get it: raising an existing keyed topic's partitions moves keys to other partitions
   * (per-key order breaks across the change), so that is an operator's step (docs/operations.md).
   */
  public static final String PARTITIONS = "KAFKA_TOPIC_PARTITIONS";
  static final int DEFAULT_PARTITIONS = 3;

  private KafkaTopics() {
  }

  /** {@link #PARTITIONS} from {@code config}, at least 1. */
  public static int partitions(Config config) {
    return Math.max(1, config.getInt(PARTITIONS, DEFAULT_PARTITIONS));
  }

  /**
   * Ensures every topic in {@code topics} exists with {@code partitions} partitions and
   * {@code min(replicationFactor, brokers)} replicas. Topics created concurrently by someone else are fine.
   */
  public static Future<Void> ensure(Vertx vertx, String bootstrapServers, List<String> topics, int partitions,
                                    int replicationFactor) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrapServers));
    return admin.describeCluster()
      .compose(cluster -> admin.listTopics().compose(existing -> {
        short rf = (short) Math.max(1, Math.min(replicationFactor, cluster.getNodes().size()));
        List<NewTopic> missing = topics.stream()
          .filter(t -> !existing.contains(t))
          .distinct()
          .map(t -> new NewTopic(t, partitions, rf))
          .toList();
        return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing);
      }))
      .recover(e -> e instanceof TopicExistsException || e.getCause() instanceof TopicExistsException
        ? Future.succeededFuture() : Future.failedFuture(e))
      .eventually(admin::close);
  }

  public static Future<Set<String>> list(Vertx vertx, String bootstrapServers) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrapServers));
    return admin.listTopics().eventually(admin::close);
  }
}
