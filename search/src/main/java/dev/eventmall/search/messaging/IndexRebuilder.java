package dev.eventmall.search.messaging;

import dev.eventmall.common.event.EventEnvelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.serialization.BufferDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Rebuilds the index from {@code catalog.products} (after Redis lost its data): a throw-away consumer without a group
 * reads every partition from the beginning up to the end offsets seen at the start and re-applies every event through
 * {@link ProductEventHandler}; versions make the replay idempotent and order-independent, so running it on a live index
 * is safe. One rebuild at a time.
 */
public final class IndexRebuilder {
  private static final Logger LOG = LoggerFactory.getLogger(IndexRebuilder.class);

  private final Vertx vertx;
  private final String bootstrapServers;
  private final String topic;
  private final ProductEventHandler handler;
  private final Duration timeout;
  private final AtomicBoolean running = new AtomicBoolean();
  /** The rebuild under way, if any ({@link #stop()} cuts it short). */
  private volatile Run current;

  public IndexRebuilder(Vertx vertx, String bootstrapServers, String topic, ProductEventHandler handler,
                        Duration timeout) {
    this.vertx = vertx;
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.handler = handler;
    this.timeout = timeout;
  }

  /** Outcome of a rebuild. */
  public record Report(long records, long applied, long skipped, long invalid, long durationMs) {
    public JsonObject toJson() {
      return new JsonObject().put("topic", "catalog.products").put("records", records).put("applied", applied)
        .put("skipped", skipped).put("invalid", invalid).put("durationMs", durationMs);
    }
  }

  /** A rebuild cut short by {@link #stop()}: nothing is wrong, the index is only partly rebuilt. */
  public static final class Stopped extends RuntimeException {
    Stopped() {
      super("the rebuild was stopped before its end", null, false, false);
    }
  }

  /**
   * Cuts the rebuild under way short (none: nothing happens): its consumer is closed, which wakes a Kafka call it
   * waits on, and the rebuild fails with {@link Stopped} at once instead of going on (up to its timeout) after the
   * clients it writes with are closed.
   */
  public void stop() {
    Run run = current;
    if (run != null) {
      run.cancelled = true;
      run.consumer.close();
    }
  }

  /** Whether a rebuild is running now. */
  public boolean running() {
    return running.get();
  }

  /** Runs a rebuild; fails with {@link IllegalStateException} when one is already running. */
  public Future<Report> rebuild() {
    if (!running.compareAndSet(false, true)) {
      return Future.failedFuture(new IllegalStateException("a rebuild is already running"));
    }
    long started = System.nanoTime();
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "earliest");
    config.put("max.poll.records", "500");
    config.put("key.deserializer", StringDeserializer.class.getName());
    config.put("value.deserializer", BufferDeserializer.class.getName());
    KafkaConsumer<String, Buffer> consumer = KafkaConsumer.create(vertx, config);
    Run run = new Run(consumer, started);
    current = run;
    return consumer.partitionsFor(topic)
      .compose(infos -> {
        Set<TopicPartition> partitions = new HashSet<>();
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.getPartition())));
        return consumer.assign(partitions)
          .compose(v -> consumer.seekToBeginning(partitions))
          .compose(v -> endOffsets(consumer, partitions))
          .compose(ends -> {
            run.remaining.putAll(ends);
            return beginnings(consumer, partitions);
          })
          .compose(begins -> {
            begins.forEach((tp, begin) -> {
              if (run.remaining.getOrDefault(tp, 0L) <= begin) {
                run.remaining.remove(tp);
              }
            });
            return run.loop();
          });
      })
      .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
      // whatever failed once the rebuild was stopped (the consumer closed under a Kafka call) is the stop
      .recover(e -> Future.failedFuture(run.cancelled ? new Stopped() : e))
      .onSuccess(r -> LOG.info("index rebuilt from {}: {}", topic, r))
      .onFailure(e -> {
        if (e instanceof Stopped) {
          LOG.info("index rebuild from {} stopped before its end after {} records", topic, run.records);
        } else {
          LOG.error("index rebuild from {} failed: {}", topic, e.toString());
        }
      })
      .eventually(() -> {
        current = null;
        running.set(false);
        run.stopped = true;
        return consumer.close();
      });
  }

  private static Future<Map<TopicPartition, Long>> endOffsets(KafkaConsumer<String, Buffer> consumer,
                                                              Set<TopicPartition> partitions) {
    return consumer.endOffsets(partitions).map(HashMap::new);
  }

  private static Future<Map<TopicPartition, Long>> beginnings(KafkaConsumer<String, Buffer> consumer,
                                                              Set<TopicPartition> partitions) {
    return consumer.beginningOffsets(partitions).map(HashMap::new);
  }

  /** One pass: poll until every partition reached its end offset. */
  private final class Run {
    final KafkaConsumer<String, Buffer> consumer;
    final long started;
    /** Partition → end offset still to reach. */
    final Map<TopicPartition, Long> remaining = new HashMap<>();
    long records;
    long applied;
    long skipped;
    long invalid;
    /** Set once the rebuild has ended (its timeout): a loop still going ends quietly. */
    volatile boolean stopped;
    /** Set by {@link IndexRebuilder#stop()}: the loop ends with {@link Stopped}. */
    volatile boolean cancelled;

    Run(KafkaConsumer<String, Buffer> consumer, long started) {
      this.consumer = consumer;
      this.started = started;
    }

    Future<Report> loop() {
      if (cancelled) {
        return Future.failedFuture(new Stopped());
      }
      if (remaining.isEmpty() || stopped) {
        return Future.succeededFuture(new Report(records, applied, skipped, invalid,
          (System.nanoTime() - started) / 1_000_000));
      }
      return consumer.poll(Duration.ofMillis(200)).compose(this::applyBatch).compose(v -> checkPositions())
        .compose(v -> loop());
    }

    /** Drops the partitions whose position reached the end offset (robust to gaps such as transaction markers). */
    Future<Void> checkPositions() {
      List<Future<Void>> checks = new ArrayList<>();
      for (Map.Entry<TopicPartition, Long> e : new ArrayList<>(remaining.entrySet())) {
        checks.add(consumer.position(e.getKey()).map(pos -> {
          if (pos >= e.getValue()) {
            remaining.remove(e.getKey());
          }
          return null;
        }));
      }
      return Future.all(checks).mapEmpty();
    }

    Future<Void> applyBatch(KafkaConsumerRecords<String, Buffer> batch) {
      List<Future<Boolean>> results = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        KafkaConsumerRecord<String, Buffer> record = batch.recordAt(i);
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Long end = remaining.get(tp);
        if (end == null || record.offset() >= end) {
          continue; // appended after the rebuild started: the live indexer handles it
        }
        records++;
        EventEnvelope event;
        try {
          event = EventEnvelope.fromBuffer(record.value());
          results.add(handler.handle(event).recover(e -> {
            if (!(e instanceof IllegalArgumentException)) {
              return Future.failedFuture(e); // Redis trouble: the rebuild fails, it can be run again
            }
            invalid++;
            LOG.warn("rebuild: {}/{}/{} not applied: {}", record.topic(), record.partition(), record.offset(),
              e.toString());
            return Future.succeededFuture(null);
          }));
        } catch (RuntimeException e) {
          invalid++;
        }
      }
      // versions make the order irrelevant: a batch is applied concurrently
      return Future.all(results).map(all -> {
        for (Future<Boolean> f : results) {
          if (Boolean.TRUE.equals(f.result())) {
            applied++;
          } else if (Boolean.FALSE.equals(f.result())) {
            skipped++;
          }
        }
        return null;
      });
    }
  }
}
