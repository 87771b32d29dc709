package dev.eventmall.common.testing;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * A service test's view of Kafka: publishes event envelopes as their producing service would (key = envelope key,
 * header {@code type}, schema-valid, acknowledged by all replicas) and reads the topics it was started with from the
 * beginning, so that a test can list or await the events of one key. Every event it publishes or hands out is
 * validated against its JSON Schema.
 */
public final class EventProbe implements AutoCloseable {
  /** How long {@link #awaitEvent} and {@link #awaitEvents} wait. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private final KafkaProducer<String, String> producer;
  private final Map<String, TopicReader> readers = new LinkedHashMap<>();

  /** A producer on {@code bootstrapServers} and a reader of each of {@code readTopics}, reading from the start. */
  public EventProbe(String bootstrapServers, String... readTopics) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(props);
    for (String topic : readTopics) {
      readers.put(topic, new TopicReader(bootstrapServers, topic));
    }
  }

  /** As {@link #EventProbe(String, String...)} on the test JVM's Kafka ({@link TestInfra#kafka()}). */
  public static EventProbe onTestKafka(String... readTopics) {
    return new EventProbe(TestInfra.kafka(), readTopics);
  }

  /** The plain producer, for tests that send what no service would (a poison record, a burst without waiting). */
  public KafkaProducer<String, String> producer() {
    return producer;
  }

  /** The reader of {@code topic} (one of the topics this probe was started with). */
  public TopicReader reader(String topic) {
    TopicReader reader = readers.get(topic);
    if (reader == null) {
      throw new IllegalArgumentException("this probe does not read " + topic + " (it reads " + readers.keySet() + ")");
    }
    return reader;
  }

  /**
   * Publishes {@code event} on {@code topic} as its producing service would and waits for the acknowledgement; returns
   * where the record landed (partition, offset).
   */
  public RecordMetadata publish(String topic, EventEnvelope event) {
    EventSchemas.validate(event);
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.key(), event.toJson().encode());
    record.headers().add("type", event.type().getBytes(StandardCharsets.UTF_8));
    try {
      return producer.send(record).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    } catch (ExecutionException e) {
      throw new RuntimeException(e.getCause());
    }
  }

  /** The events of {@code key} on {@code topic} read so far, in topic order, each validated against its schema. */
  public List<EventEnvelope> eventsOf(String topic, String key) {
    List<EventEnvelope> events = new ArrayList<>();
    reader(topic).records().stream().filter(r -> key.equals(r.key()))
      .forEach(r -> events.add(EventEnvelope.fromJson(new JsonObject(r.value()))));
    events.forEach(EventSchemas::validate);
    return events;
  }

  /** As {@link #eventsOf(String, String)}, only those of {@code type}. */
  public List<EventEnvelope> eventsOf(String topic, String key, String type) {
    return eventsOf(topic, key).stream().filter(e -> e.type().equals(type)).toList();
  }

  /** The first event of {@code type} about {@code key} on {@code topic}, waiting up to {@link #WAIT} for it. */
  public EventEnvelope awaitEvent(String topic, String key, String type) {
    Await.until(type + " of " + key, WAIT, () -> !eventsOf(topic, key, type).isEmpty());
    return eventsOf(topic, key, type).get(0);
  }

  /** The events of {@code key} on {@code topic} once there are at least {@code n} (waiting up to {@link #WAIT}). */
  public List<EventEnvelope> awaitEvents(String topic, String key, int n) {
    Await.until(() -> n + " events of " + key + " on " + topic + " (have " + eventsOf(topic, key).size() + ")", WAIT,
      () -> eventsOf(topic, key).size() >= n);
    return eventsOf(topic, key);
  }

  /** Stops the readers and closes the producer. */
  @Override
  public void close() throws InterruptedException {
    try {
      for (TopicReader reader : readers.values()) {
        reader.close();
      }
    } finally {
      producer.close();
    }
  }
}
