package dev.eventmall.common.kafka;

import dev.eventmall.common.config.Config;
import io.vertx.kafka.client.serialization.BufferDeserializer;
import io.vertx.kafka.client.serialization.BufferSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/** Client settings every service uses: keys are strings (aggregate ids), values are JSON envelopes as bytes. */
public final class KafkaConfig {
  private KafkaConfig() {
  }

  /**
   * How long closing an admin client may wait for its pending calls (e.g. a readiness check's {@code describeCluster}
   * while the brokers are down): vertx-kafka-client's {@code KafkaAdminClient.close()} has no bound of its own and
   * waits until they time out ({@code default.api.timeout.ms}, 60 s), so a service stopping during a Kafka outage took
   * a minute; {@code close(ADMIN_CLOSE_MS)} gives up after this.
   */
  public static final long ADMIN_CLOSE_MS = 2_000;

  /**
   * {@code fetch.max.wait.ms} of every consumer: see {@link #consumer}. Not longer: a consumer's close sends its fetch
   * session's closing request behind the fetch in flight (a broker answers a connection's requests in order), so every
   * bridge's stop waits up to this long, one after the other (3 s made order's stop overrun its 8 s bound); and
   * partitions a rebalance hands to a consumer are fetched only once its fetch in flight to that broker returns.
   */
  public static final long FETCH_MAX_WAIT_MS = 1_000;

  /**
   * Setting {@code KAFKA_SESSION_TIMEOUT_MS} (default {@value #DEFAULT_SESSION_TIMEOUT_MS}): how long a consumer that
   * stopped heartbeating without leaving its group (a SIGKILLed or frozen process) keeps its partitions before the
   * group hands them to the others. Kafka's default is 45 s, which is how long a killed replica's share of the saga
   * waited. Heartbeats come from the consumer's own thread, so a busy event loop does not miss them; only a process
   * stalled for this long (or cut off from the brokers) loses its partitions. The heartbeat interval is a third of it.
   */
  public static final String SESSION_TIMEOUT_MS = "KAFKA_SESSION_TIMEOUT_MS";
  public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;

  /** Durable, ordered, idempotent producer: {@code acks=all}, idempotence on, at most 5 in flight, lz4 batches. */
  public static Map<String, String> producer(String bootstrapServers) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("acks", "all");
    config.put("enable.idempotence", "true");
    config.put("max.in.flight.requests.per.connection", "5");
    config.put("linger.ms", "5");
    config.put("batch.size", "65536");
    config.put("compression.type", "lz4");
    config.put("delivery.timeout.ms", "30000");
    config.put("request.timeout.ms", "10000");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", BufferSerializer.class.getName());
    return config;
  }

  /** Consumer of a group that commits by hand after the effect is durable. */
  public static Map<String, String> consumer(String bootstrapServers, String group) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("group.id", group);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "earliest");
    config.put("max.poll.records", "500");
    // how long the broker holds a fetch that found nothing: it answers at once when a record arrives (fetch.min.bytes
    // is 1), so this only paces an idle consumer. Kafka's default (500 ms) made every consumer fetch twice a second at
    // rest, the largest share of an idle broker's CPU; request.timeout.ms (30 s) stays well above it
    config.put("fetch.max.wait.ms", Long.toString(FETCH_MAX_WAIT_MS));
    long session = Math.max(6_000, Config.fromEnv().getLong(SESSION_TIMEOUT_MS, DEFAULT_SESSION_TIMEOUT_MS));
    config.put("session.timeout.ms", Long.toString(session));
    config.put("heartbeat.interval.ms", Long.toString(session / 3));
    config.put("key.deserializer", StringDeserializer.class.getName());
    config.put("value.deserializer", BufferDeserializer.class.getName());
    return config;
  }
}
