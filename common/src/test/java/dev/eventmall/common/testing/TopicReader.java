package dev.eventmall.common.testing;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads everything published on a topic from the beginning, on a thread of its own, so that tests can assert on what
 * reached Kafka ({@link #records()}, {@link #awaitCount}).
 */
public final class TopicReader implements AutoCloseable {
  private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean closed;
  private final String bootstrapServers;
  private final String topic;

  public TopicReader(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("group.id", "test-reader-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    thread = new Thread(() -> {
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
        consumer.subscribe(List.of(topic));
        while (!closed) {
          consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
      }
    }, "topic-reader-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  public List<ConsumerRecord<String, String>> records() {
    return new ArrayList<>(records);
  }

  /** Waits until at least {@code n} records arrived and returns them all. */
  public List<ConsumerRecord<String, String>> awaitCount(int n, Duration timeout) {
    Await.until(() -> n + " records (have " + records.size() + ")", timeout, () -> records.size() >= n);
    return records();
  }

  /**
   * Waits until this reader has read everything the topic holds now (up to its end offsets, read when called) and
   * returns it all: after a service's outbox was seen drained, exactly the events it published, none still on the way.
   * Published outbox rows are deleted (by default), so this is how a test counts the events a service emitted.
   */
  public List<ConsumerRecord<String, String>> upToEnd(Duration timeout) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    Map<TopicPartition, Long> ends;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      ends = consumer.endOffsets(consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList(), Duration.ofSeconds(10));
    }
    Await.until(() -> "read " + topic + " up to its end offsets " + ends, timeout, () -> ends.entrySet().stream()
      .allMatch(e -> e.getValue() == 0 || records.stream().anyMatch(r -> r.partition() == e.getKey().partition()
        && r.offset() >= e.getValue() - 1)));
    return records();
  }

  /** Every record on {@code topic} now (up to its end offsets), read by a reader of its own. */
  public static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic, Duration timeout) {
    TopicReader reader = new TopicReader(bootstrapServers, topic);
    try {
      return reader.upToEnd(timeout);
    } finally {
      try {
        reader.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Every record on {@code topic} once the producing service's outbox has published everything it held ({@code unsent},
   * its count of unsent outbox rows, reads 0 within 30 s): what the service emitted, whether its relay stamps the rows
   * it published or deletes them ({@code OUTBOX_RETENTION_SECONDS=0}, the default), so counting outbox rows would not say.
   */
  public static List<ConsumerRecord<String, String>> published(String bootstrapServers, String topic,
                                                               java.util.function.LongSupplier unsent) {
    Await.until("the outbox published everything", Duration.ofSeconds(30), () -> unsent.getAsLong() == 0);
    return readAll(bootstrapServers, topic, Duration.ofSeconds(30));
  }

  /** The {@code type} header of {@code record}, null without one. */
  public static String type(ConsumerRecord<String, String> record) {
    var header = record.headers().lastHeader("type");
    return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The committed offsets of {@code group} on {@code partitions}, read with a throw-away consumer. */
  public static Map<TopicPartition, Long> committed(String bootstrapServers, String group, List<TopicPartition> partitions) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("group.id", group);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      Map<TopicPartition, Long> result = new java.util.HashMap<>();
      consumer.committed(new java.util.HashSet<>(partitions), Duration.ofSeconds(10))
        .forEach((tp, om) -> result.put(tp, om == null ? -1L : om.offset()));
      return result;
    }
  }

  /**
   * Waits up to 60 s until consumer group {@code group} committed past {@code record}: the group handled it and
   * everything before it in its partition (a consumer that commits after the effect is durable), whether or not that
   * left a trace (a duplicate leaves none).
   */
  public static void awaitHandled(String bootstrapServers, String group, RecordMetadata record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Await.until(() -> group + " handled offset " + record.offset() + " of " + tp, Duration.ofSeconds(60),
      () -> committed(bootstrapServers, group, List.of(tp)).getOrDefault(tp, -1L) > record.offset());
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(5_000);
  }
}
