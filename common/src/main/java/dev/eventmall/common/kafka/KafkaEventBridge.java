package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds the records a consumer group reads from its topics to the group's domain handlers over the event bus
 * ({@link EventHandlers#address}) as a pipeline: it keeps polling while records are in flight, and commits each partition's
 * offset only up to its first record that is not acknowledged (or parked) yet.
 *
 * <ul>
 *   <li>Order: records of one partition with the same key are handed over one after the other (a record waits for the
 *   ones before it, across polls); different keys run concurrently. At most about {@link Options#maxPollRecords()}
 *   records are in flight: past that the bridge stops polling until some complete.</li>
 *   <li>Commits: acknowledged offsets are committed in batches, {@link #COMMIT_INTERVAL_MS} ms after a record completes,
 *   one commit at a time. A slow record holds back its partition's commit point, never the other records.</li>
 *   <li>Retries happen in place: a failing record is retried with {@link RetryPolicy} backoff while the other records
 *   go on (so other keys are not held up, and the same key keeps its order). When the attempts are exhausted
 *   the record is parked on {@code <topic>.dlq} with headers {@code dlq-original-topic}, {@code dlq-original-partition},
 *   {@code dlq-original-offset}, {@code dlq-consumer-group}, {@code dlq-exception}, {@code dlq-attempts},
 *   {@code dlq-parked-at}, and the consumer moves on. A record that is not an event envelope is parked at once.</li>
 *   <li>Lag: every {@link #LAG_SAMPLE_MS} ms (off the poll loop, through the consumer's own async calls) the bridge
 *   samples, for each partition assigned to it, the end offset minus the group's committed offset (the beginning
 *   offset when nothing is committed yet: the group reads from the earliest), and publishes the sum per topic as the
 *   gauge {@code eventmall.kafka.consumer.lag} (Prometheus {@code eventmall_kafka_consumer_lag{group,topic}}); several
 *   bridge instances of one group in one Vert.x add up.</li>
 *   <li>Parked: {@code eventmall.dlq.parked} counts the records this bridge parked; the gauge
 *   {@code eventmall.dlq.unreplayed} (Prometheus {@code eventmall_dlq_unreplayed{group,topic}}) is what the group's
 *   dead-letter topics hold and nobody replayed ({@link DeadLetters#list()}), counted at start, every
 *   {@link #DLQ_SAMPLE_MS} ms, after each park and after each replay in this Vert.x.</li>
 *   <li>Delivery is at least once (a crash between effect and commit redelivers): handlers are idempotent (an
 *   inbox, or the rows an event left: {@link BatchHandler}).</li>
 * </ul>
 */
public final class KafkaEventBridge extends VerticleBase {
  public static final String H_TOPIC = "dlq-original-topic";
  public static final String H_PARTITION = "dlq-original-partition";
  public static final String H_OFFSET = "dlq-original-offset";
  public static final String H_GROUP = "dlq-consumer-group";
  public static final String H_EXCEPTION = "dlq-exception";
  public static final String H_ATTEMPTS = "dlq-attempts";
  public static final String H_PARKED_AT = "dlq-parked-at";

  /** How long acknowledged records wait before their offsets are committed (commits are batched). */
  static final long COMMIT_INTERVAL_MS = 50;

  /** How often the consumer lag is sampled. */
  public static final long LAG_SAMPLE_MS = 5_000;
  /** How often the bridge counts what its group left parked on the dead-letter topics (also after a park or a replay). */
  public static final long DLQ_SAMPLE_MS = 60_000;
  /** How long {@link #stop()} waits for the consumer's close before closing it directly (Kafka's own bound is 30 s). */
  static final long CLOSE_TIMEOUT_MS = 35_000;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventBridge.class);
  /** registry → "group/topic" → lag per bridge instance; the gauge reads the sum. */
  private static final Map<MeterRegistry, Map<String, Map<KafkaEventBridge, Long>>> LAGS =
    Collections.synchronizedMap(new WeakHashMap<>());

  /** registry → "group/topic" → events parked and not replayed; one gauge each, set by any bridge of the group. */
  private static final Map<MeterRegistry, Map<String, AtomicLong>> UNREPLAYED =
    Collections.synchronizedMap(new WeakHashMap<>());

  /** How long a poll waits when nothing comes. */
  static final Duration IDLE_POLL = Duration.ofSeconds(1);

  /**
   * @param group          consumer group (one per service and purpose, e.g. {@code catalog-stock})
   * @param topics         topics the group reads
   * @param handlerTimeout how long one handler call may take before it counts as failed
   */
  public record Options(String bootstrapServers, String group, List<String> topics, RetryPolicy retry,
                        Duration handlerTimeout, int maxPollRecords) {
    public Options(String bootstrapServers, String group, List<String> topics) {
      this(bootstrapServers, group, topics, RetryPolicy.DEFAULT, Duration.ofSeconds(10), 500);
    }

    public Options withRetry(RetryPolicy retry) {
      return new Options(bootstrapServers, group, topics, retry, handlerTimeout, maxPollRecords);
    }

    public Options withHandlerTimeout(Duration handlerTimeout) {
      return new Options(bootstrapServers, group, topics, retry, handlerTimeout, maxPollRecords);
    }
  }

  private final Options options;
  private KafkaConsumer<String, Buffer> consumer;
  private KafkaProducer<String, Buffer> producer;
  private EventDelivery delivery;
  private volatile boolean stopped;
  /** The poll and the lag sample on the consumer's thread, if any: {@link #stop()} closes the consumer after them. */
  private Future<?> polling = Future.succeededFuture();
  private Future<?> sample = Future.succeededFuture();
  private final Map<String, Counter> consumed = new HashMap<>();
  private final Map<String, Counter> parked = new HashMap<>();
  private final List<Map<KafkaEventBridge, Long>> lagSlots = new ArrayList<>();
  private Map<String, Map<KafkaEventBridge, Long>> lags;
  private long lagTimer = -1;
  private boolean sampling;
  private final Map<String, AtomicLong> unreplayed = new HashMap<>();
  private DeadLetters deadLetters;
  private long dlqTimer = -1;
  private boolean countingParked;
  private boolean countParkedAgain;
  // the pipeline: all of it runs on this verticle's context
  private final Map<String, Future<Void>> chains = new HashMap<>();
  private final Map<TopicPartition, PartitionTrack> tracks = new HashMap<>();
  private int inFlight;
  private boolean waitingForRoom;
  // batch mode (the group registered a BatchHandler): records wait here for the next batch, one batch at a time
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private boolean batchRunning;
  private Tracing tracing;
  private long commitTimer = -1;
  private boolean committing;
  private boolean commitAgain;

  public KafkaEventBridge(Options options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    Map<String, String> config = KafkaConfig.consumer(options.bootstrapServers(), options.group());
    config.put("max.poll.records", Integer.toString(options.maxPollRecords()));
    consumer = KafkaConsumer.create(vertx, config);
    producer = KafkaProducer.create(vertx, KafkaConfig.producer(options.bootstrapServers()));
    delivery = new EventDelivery(vertx, options.retry(), options.handlerTimeout(), true);
    tracing = Tracing.of(vertx);
    MeterRegistry registry = Metrics.registryOf(vertx);
    for (String topic : options.topics()) {
      consumed.put(topic, Counter.builder("eventmall.kafka.consumed").tag("topic", topic).tag("group", options.group())
        .description("records handled (acknowledged or parked)").register(registry));
      parked.put(topic, Counter.builder("eventmall.dlq.parked").tag("topic", topic).tag("group", options.group())
        .description("records parked on the dead-letter topic").register(registry));
    }
    registerLagGauges(registry);
    registerUnreplayedGauges(registry);
    deadLetters = new DeadLetters(vertx, options);
    vertx.eventBus().localConsumer(DeadLetters.replayedAddress(options.group()), msg -> countParked());
    consumer.partitionsRevokedHandler(revoked -> revoked.forEach(tracks::remove));
    return consumer.subscribe(new HashSet<>(options.topics())).onSuccess(v -> {
      pollLoop();
      lagTimer = vertx.setPeriodic(LAG_SAMPLE_MS, id -> sampleLag());
      countParked();
      dlqTimer = vertx.setPeriodic(DLQ_SAMPLE_MS, id -> countParked());
    });
  }

  /**
   * Stops polling and closes the consumer (leaving the group), waiting at most {@link #CLOSE_TIMEOUT_MS}: Kafka gives its
   * own close 30 s. vertx-kafka-client 5.0.8 completes its close only when {@code Consumer.close()} returns or throws a
   * {@code KafkaException}; anything else thrown on its consumer thread is lost, the close never completes and the
   * undeploy hangs with the consumer still in its group (seen in CI, nothing logged). Past the bound the consumer is
   * closed directly and what went wrong is logged; the stop always completes.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(lagTimer);
    vertx.cancelTimer(dlqTimer);
    vertx.cancelTimer(commitTimer);
    lagSlots.forEach(slot -> slot.remove(this));
    Promise<Void> closed = Promise.promise();
    long began = System.nanoTime();
    LOG.info("{}: stopping; closing the consumer", options.group());
    closed.future().onComplete(ar -> LOG.info("{}: consumer closed in {} ms", options.group(),
      (System.nanoTime() - began) / 1_000_000));
    // the close waits for the poll (at most IDLE_POLL) and the lag sample under way: a close that wakes a poll up on the
    // consumer's thread was seen to leave the consumer open (its heartbeat going on, still in its group) or never finish
    Future.join(polling, sample).onComplete(x -> closeConsumer(closed));
    return closed.future();
  }

  private void closeConsumer(Promise<Void> closed) {
    // cancelled when the close completes
    long guard = vertx.setTimer(CLOSE_TIMEOUT_MS, id -> {
      LOG.warn("{}: the consumer did not close within {} ms; closing it directly", options.group(), CLOSE_TIMEOUT_MS);
      vertx.executeBlocking(() -> {
        consumer.unwrap().close(Duration.ofSeconds(5));
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("{}: closing the consumer directly failed: {}", options.group(), ar.cause().toString());
        }
        closed.tryComplete();
      });
    });
    consumer.close().onComplete(ar -> {
      vertx.cancelTimer(guard);
      if (ar.failed()) {
        LOG.warn("{}: closing the consumer failed: {}", options.group(), ar.cause().toString());
      }
      closed.tryComplete();
    });
  }

  private void registerLagGauges(MeterRegistry registry) {
    lags = LAGS.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
    for (String topic : options.topics()) {
      Map<KafkaEventBridge, Long> slot = lags.computeIfAbsent(options.group() + '/' + topic, k -> {
        Map<KafkaEventBridge, Long> perInstance = new ConcurrentHashMap<>();
        Gauge.builder("eventmall.kafka.consumer.lag", perInstance,
            m -> m.values().stream().mapToLong(Long::longValue).sum())
          .tag("topic", topic).tag("group", options.group())
          .description("records not yet committed by the group (end offset - committed offset), sampled every "
            + LAG_SAMPLE_MS + " ms")
          .register(registry);
        return perInstance;
      });
      slot.put(this, 0L);
      lagSlots.add(slot);
    }
  }

  private void registerUnreplayedGauges(MeterRegistry registry) {
    Map<String, AtomicLong> shared = UNREPLAYED.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
    for (String topic : options.topics()) {
      unreplayed.put(topic, shared.computeIfAbsent(options.group() + '/' + topic, k -> {
        AtomicLong count = new AtomicLong();
        Gauge.builder("eventmall.dlq.unreplayed", count, AtomicLong::get).tag("topic", topic)
          .tag("group", options.group())
          .description("events the group parked on the topic's dead-letter topic and nobody replayed yet, counted every "
            + DLQ_SAMPLE_MS + " ms and after each park or replay")
          .register(registry);
        return count;
      }));
    }
  }

  /** Reads the dead-letter topics (on a worker) and sets the unreplayed gauges; one count at a time. */
  private void countParked() {
    if (stopped) {
      return;
    }
    if (countingParked) {
      countParkedAgain = true;
      return;
    }
    countingParked = true;
    countParkedAgain = false;
    deadLetters.unreplayedByTopic().onComplete(ar -> {
      countingParked = false;
      if (ar.succeeded()) {
        unreplayed.forEach((topic, count) -> count.set(ar.result().getOrDefault(topic, 0L)));
      } else {
        LOG.warn("{}: counting the parked events failed (the gauge keeps its last value): {}", options.group(),
          ar.cause().toString());
      }
      if (countParkedAgain) {
        countParked();
      }
    });
  }

  /** One lag sample: end offsets and committed offsets of the assigned partitions, summed per topic. */
  private void sampleLag() {
    if (stopped || sampling) {
      return;
    }
    sampling = true;
    sample = consumer.assignment()
      .compose(assigned -> {
        if (assigned.isEmpty()) {
          return Future.succeededFuture(Map.<String, Long>of());
        }
        return consumer.endOffsets(assigned).compose(ends -> {
          List<Future<Long>> perPartition = new ArrayList<>();
          List<TopicPartition> order = new ArrayList<>(assigned);
          for (TopicPartition tp : order) {
            perPartition.add(consumer.committed(tp)
              .compose(c -> c != null ? Future.succeededFuture(c.getOffset()) : consumer.beginningOffsets(tp))
              .map(done -> Math.max(0, ends.getOrDefault(tp, done) - done)));
          }
          return Future.all(perPartition).map(all -> {
            Map<String, Long> byTopic = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
              byTopic.merge(order.get(i).getTopic(), all.<Long>resultAt(i), Long::sum);
            }
            return byTopic;
          });
        });
      })
      .onComplete(ar -> {
        sampling = false;
        if (ar.failed()) {
          LOG.debug("{}: lag not sampled: {}", options.group(), ar.cause().toString());
          return;
        }
        if (!stopped) {
          for (String topic : options.topics()) {
            lags.get(options.group() + '/' + topic).put(this, ar.result().getOrDefault(topic, 0L));
          }
        }
      });
  }

  private void pollLoop() {
    if (stopped) {
      return;
    }
    if (inFlight >= options.maxPollRecords()) {
      waitingForRoom = true; // resumed by done() once records complete
      return;
    }
    // a poll returns as soon as records arrive; the timeout only paces an idle consumer (wake-ups cost CPU at rest,
    // ~20 groups per service set) and how long a commit requested meanwhile waits for the consumer thread
    Future<KafkaConsumerRecords<String, Buffer>> poll = consumer.poll(IDLE_POLL);
    polling = poll;
    poll
      .onComplete(ar -> {
        if (ar.failed()) {
          if (!stopped) {
            LOG.warn("{}: poll failed ({}); polling again shortly", options.group(), ar.cause().toString());
            vertx.setTimer(500, id -> pollLoop());
          }
          return;
        }
        KafkaConsumerRecords<String, Buffer> records = ar.result();
        boolean batchMode = records.size() > 0 && EventHandlers.batchHandler(vertx, options.group()) != null;
        for (int i = 0; i < records.size(); i++) {
          dispatch(records.recordAt(i), batchMode);
        }
        runBatch();
        pollLoop();
      });
  }

  /**
   * Starts {@code record} after the records of its chain (same topic, partition and key) that are still in flight, and
   * tracks its offset so that the partition's commit point never passes it before it is acknowledged or parked.
   */
  private void dispatch(KafkaConsumerRecord<String, Buffer> record, boolean batchMode) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    PartitionTrack track = tracks.get(tp);
    if (track == null || record.offset() <= track.lastOffset) {
      // first record of a partition, or the partition was assigned again and is re-read from its committed offset:
      // completions of the records read before no longer move this partition's commit point
      track = new PartitionTrack();
      tracks.put(tp, track);
    }
    track.lastOffset = record.offset();
    Pending entry = new Pending(record.offset());
    track.pending.addLast(entry);
    inFlight++;
    Queued queued = new Queued(record, tp, track, entry, record.topic() + '/' + record.partition() + '/' + record.key());
    if (batchMode) {
      queue.addLast(queued); // runBatch() decides once the whole poll is dispatched
    } else {
      single(queued, null);
    }
  }

  /**
   * The single-record lane: {@code q} is handed over alone (retries with backoff, finally parked) after the records of
   * its chain (same topic, partition and key) still in flight, and after {@code first} when given (the outcome of its
   * batch: only a failure there sends it down this lane).
   */
  private void single(Queued q, Future<Void> first) {
    Future<Void> previous = chains.get(q.chainKey());
    Future<Void> run;
    if (first == null) {
      run = previous == null ? process(q.record()) : previous.transform(ar -> process(q.record()));
    } else {
      Future<Void> after = previous == null ? first : previous.transform(ar -> first);
      run = after.transform(ar -> ar.succeeded() ? Future.succeededFuture() : process(q.record()));
    }
    if (!run.isComplete()) {
      chains.put(q.chainKey(), run);
    }
    run.onComplete(ar -> {
      if (chains.get(q.chainKey()) == run) {
        chains.remove(q.chainKey());
      }
      done(q.tp(), q.track(), q.entry(), ar.succeeded());
    });
  }

  /** A record on its way: where its offset is tracked and the chain (topic/partition/key) it belongs to. */
  private record Queued(KafkaConsumerRecord<String, Buffer> record, TopicPartition tp, PartitionTrack track,
                        Pending entry, String chainKey) {
  }

  /**
   * Hands the queued records to the group's {@link BatchHandler} as one batch (at most {@link Options#maxPollRecords()}),
   * unless a batch is running: one batch at a time, so one group's transactions never contend with each other. A record
   * whose chain has a record in the single-record lane, or that is not an event envelope, takes that lane instead (after
   * it, keeping per-key order; or straight to the dead-letter topic). Each record's own outcome from the batch either
   * acknowledges it or sends it down the single-record lane; the next batch starts once the handler's outer future
   * completes.
   */
  private void runBatch() {
    if (batchRunning || stopped || queue.isEmpty()) {
      return;
    }
    BatchHandler handler = EventHandlers.batchHandler(vertx, options.group());
    List<Queued> batch = new ArrayList<>();
    List<Consumed> events = new ArrayList<>();
    while (!queue.isEmpty() && batch.size() < options.maxPollRecords()) {
      Queued q = queue.pollFirst();
      boolean batchable = handler != null && !chains.containsKey(q.chainKey());
      if (batchable && ignoredBy(handler, q.record())) {
        // a type the group does not act on: acknowledged as read, never parsed (issue 12)
        consumed.get(q.record().topic()).increment();
        done(q.tp(), q.track(), q.entry(), true);
        continue;
      }
      EventEnvelope event = batchable ? envelope(q.record()) : null;
      if (event == null) {
        single(q, null);
      } else {
        batch.add(q);
        events.add(new Consumed(q.record().topic(), event, traceparent(q.record())));
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    batchRunning = true;
    Span[] spans = new Span[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      // each event's handling in its trace: its CONSUMER span (tracing on), else the trace the record came with
      Consumed c = events.get(i);
      spans[i] = EventHandlers.consumerSpan(tracing, options.group(), c.topic(), c.event(), c.span(), "1");
      String span = Tracing.traceparent(spans[i].getSpanContext());
      String trace = span != null ? span : c.span() != null ? c.span() : c.event().traceparent();
      events.set(i, new Consumed(c.topic(), c.event(), trace));
    }
    Future<List<Future<Void>>> outcome;
    try {
      outcome = bounded(handler.handle(events));
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      batchRunning = false;
      boolean whole = ar.succeeded() && ar.result() != null && ar.result().size() == batch.size();
      if (!whole) {
        LOG.info("{}: a batch of {} failed ({}); its records go on one by one", options.group(), batch.size(),
          ar.failed() ? ar.cause().toString() : "one outcome per record expected");
      }
      for (int i = 0; i < batch.size(); i++) {
        Queued q = batch.get(i);
        Span span = spans[i];
        Future<Void> result = whole
          ? bounded(ar.result().get(i))
          : Future.failedFuture(ar.failed() ? ar.cause() : new IllegalStateException("no outcome"));
        single(q, result.andThen(r -> {
          EventHandlers.end(span, r.cause());
          if (r.succeeded()) {
            consumed.get(q.record().topic()).increment();
          }
        }));
      }
      runBatch();
    });
  }

  /**
   * {@code outcome}, failed with a {@link TimeoutException} if it has not completed within the handler timeout. Not
   * {@code Future.timeout}: a batch handler's per-record outcomes are mostly context-less futures (already complete, or
   * promises of its transaction), and Vert.x schedules a context-less future's timeout on Netty's
   * {@code GlobalEventExecutor}, a thread of its own that every record woke twice (schedule, then cancel) and that was
   * started again each time it had gone idle: ~190 such threads in one payment JVM in 5 minutes at 20 orders/s.
   * A complete outcome needs no timer; an incomplete one gets a timer of this bridge's event loop.
   */
  private <T> Future<T> bounded(Future<T> outcome) {
    if (outcome.isComplete()) {
      return outcome;
    }
    long ms = options.handlerTimeout().toMillis();
    Promise<T> bounded = Promise.promise();
    long timer = vertx.setTimer(ms, id -> bounded.tryFail(new TimeoutException("no outcome within " + ms + " ms")));
    outcome.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }

  /** Whether the record's {@code type} header names a type {@code handler} does not act on (no header: it may). */
  private static boolean ignoredBy(BatchHandler handler, KafkaConsumerRecord<String, Buffer> record) {
    for (KafkaHeader header : record.headers()) {
      if ("type".equals(header.key())) {
        return !handler.actsOn(record.topic(), header.value().toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return false;
  }

  /** The record's {@code traceparent} header, or null. */
  private static String traceparent(KafkaConsumerRecord<String, Buffer> record) {
    for (KafkaHeader header : record.headers()) {
      if (Tracing.HEADER.equals(header.key())) {
        return header.value().toString(java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The record's event, or null when it is not an event envelope (the single-record lane parks it). */
  private static EventEnvelope envelope(KafkaConsumerRecord<String, Buffer> record) {
    try {
      return EventEnvelope.fromJson(record.value().toJsonObject());
    } catch (RuntimeException notAnEnvelope) {
      return null;
    }
  }

  private void done(TopicPartition tp, PartitionTrack track, Pending entry, boolean acknowledged) {
    inFlight--;
    if (acknowledged) {
      entry.done = true;
      while (!track.pending.isEmpty() && track.pending.peekFirst().done) {
        track.committable = track.pending.pollFirst().offset + 1;
      }
      if (tracks.get(tp) == track && track.committable > track.committed) {
        scheduleCommit();
      }
    }
    if (waitingForRoom && inFlight < options.maxPollRecords()) {
      waitingForRoom = false;
      pollLoop();
    }
  }

  private void scheduleCommit() {
    if (commitTimer < 0 && !stopped) {
      commitTimer = vertx.setTimer(COMMIT_INTERVAL_MS, id -> {
        commitTimer = -1;
        commit();
      });
    }
  }

  /** Commits every partition's offset up to its first record not yet acknowledged; one commit at a time. */
  private void commit() {
    if (committing) {
      commitAgain = true;
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<TopicPartition, PartitionTrack> committed = new HashMap<>();
    tracks.forEach((tp, track) -> {
      if (track.committable > track.committed) {
        offsets.put(tp, new OffsetAndMetadata(track.committable, ""));
        committed.put(tp, track);
      }
    });
    if (offsets.isEmpty()) {
      return;
    }
    committing = true;
    consumer.commit(offsets).onComplete(ar -> {
      committing = false;
      if (ar.succeeded()) {
        committed.forEach((tp, track) -> track.committed = Math.max(track.committed, offsets.get(tp).getOffset()));
      } else if (!stopped) {
        LOG.warn("{}: offsets not committed ({}); records after them may be delivered again", options.group(),
          ar.cause().toString());
      }
      if (commitAgain || ar.failed()) {
        commitAgain = false;
        scheduleCommit();
      }
    });
  }

  /** One assigned partition's records in flight, in offset order, and how far its offsets may be committed. */
  private static final class PartitionTrack {
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    long lastOffset = -1;
    long committable = -1;
    long committed = -1;
  }

  private static final class Pending {
    final long offset;
    boolean done;

    Pending(long offset) {
      this.offset = offset;
    }
  }

  private Future<Void> process(KafkaConsumerRecord<String, Buffer> record) {
    JsonObject json;
    try {
      json = record.value().toJsonObject();
    } catch (RuntimeException notJson) {
      return park(record, new IllegalArgumentException("not JSON: " + notJson.getMessage()), 0);
    }
    try {
      EventEnvelope.fromJson(json);
    } catch (IllegalArgumentException notAnEnvelope) {
      return park(record, notAnEnvelope, 0);
    }
    String source = record.topic() + '/' + record.partition() + '/' + record.offset();
    return delivery.deliver(EventHandlers.address(options.group(), record.topic()), json, source, traceparent(record))
      .compose(outcome -> {
        if (outcome.delivered()) {
          consumed.get(record.topic()).increment();
          return Future.succeededFuture();
        }
        return park(record, outcome.failure(), outcome.attempts());
      });
  }

  /** Parks {@code record} on its dead-letter topic; keeps trying while Kafka refuses (nothing is lost). */
  private Future<Void> park(KafkaConsumerRecord<String, Buffer> record, Throwable failure, int attempts) {
    KafkaProducerRecord<String, Buffer> dead =
      KafkaProducerRecord.create(Topics.dlq(record.topic()), record.key(), record.value());
    for (KafkaHeader header : record.headers()) {
      dead.addHeader(header);
    }
    dead.addHeader(H_TOPIC, record.topic())
      .addHeader(H_PARTITION, Integer.toString(record.partition()))
      .addHeader(H_OFFSET, Long.toString(record.offset()))
      .addHeader(H_GROUP, options.group())
      .addHeader(H_EXCEPTION, String.valueOf(failure))
      .addHeader(H_ATTEMPTS, Integer.toString(attempts))
      .addHeader(H_PARKED_AT, Instant.now().toString());
    // the parked event's trace id on the line: the operator finds the lines of its failed handlings by it
    LogContext.about(LOG.atWarn(), null, traceparent(record)).log("{}: parking {}/{}/{} after {} attempts: {}", options.group(),
      record.topic(), record.partition(), record.offset(), attempts, failure.toString());
    return producer.send(dead)
      .<Void>map(meta -> {
        parked.get(record.topic()).increment();
        consumed.get(record.topic()).increment();
        countParked();
        return null;
      })
      .recover(e -> {
        if (stopped) {
          return Future.failedFuture(e);
        }
        LOG.error("{}: cannot park on {} yet: {}", options.group(), Topics.dlq(record.topic()), e.toString());
        return vertx.timer(1_000).compose(v -> park(record, failure, attempts));
      });
  }
}
