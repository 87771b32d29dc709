package dev.eventmall.common.outbox;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.Sql;
import dev.eventmall.common.kafka.KafkaConfig;
import dev.eventmall.common.trace.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.eventmall.common.config.Config;

import dev.eventmall.common.metrics.Metrics;

/**
 * Publishes the {@code outbox} rows of one service database to Kafka, oldest first, and deletes a row only after the
 * broker acknowledged it ({@code acks=all}, idempotent producer), one statement per round; with a
 * {@link Options#retention()} above zero ({@code OUTBOX_RETENTION_SECONDS}, for inspection) it stamps the row sent
 * instead and prunes it once older than that. A restarted relay resumes from the unsent rows; a row published but not
 * yet deleted (or stamped) when the relay died is published again (consumers deduplicate by event id).
 *
 * <p>Only one relay per database publishes at a time: it holds the MySQL named lock {@code outbox-relay:<database>} on a
 * dedicated connection, so that several instances of a service cannot interleave the events of one key. The others
 * wait and take over when that connection goes away.
 *
 * <p>It drains in batches of at most {@link Options#batchSize()} rows, right away when a transaction that appended
 * events commits in this process ({@link #wakeUp()}), and otherwise every {@link Options#idlePoll()}; when that poll
 * finds rows (committed by another instance of the service, whose relay stands by) it looks again every
 * {@value #FOREIGN_POLL_MS} ms until none came for {@value #FOREIGN_WINDOW_MS} ms. Sent rows older than
 * {@link Options#retention()} are deleted, and so are the database's {@code inbox} rows older than
 * {@link Options#inboxRetention()}: both in chunks until none is left, by the active relay only, every
 * {@link Options#cleanUpEvery()}.
 *
 * <p>Metrics (tag {@code database}): {@code eventmall_outbox_published_total}, and every 5 s, by every instance whether
 * it publishes or stands by, {@code eventmall_outbox_backlog} (unsent rows) and {@code eventmall_outbox_oldest_unsent_seconds}
 * (age of the first unsent row, 0 when none); {@code eventmall_outbox_relay_active} is 1 on the one instance whose relay
 * holds the lock, 0 on those standing by (replicas: exactly one per database sums to 1).
 *
 * <p>With {@link Tracing} on each send is a PRODUCER span {@code <topic> publish}, a child of the span that appended
 * the event (its traceparent, kept in the row), and the record's {@code traceparent} header is that PRODUCER span's;
 * with tracing off the header is the row's traceparent, if any.
 */
public final class OutboxRelay extends VerticleBase {
  /** Event-bus address (local) a committed append pings so that the relay drains at once. */
  public static final String WAKE_UP = "eventmall.outbox.wake-up";

  static final String SELECT_UNSENT =
    "SELECT seq, event_id, topic, event_key, event_type, traceparent, envelope FROM outbox"
      + " WHERE sent_at IS NULL ORDER BY seq LIMIT ?";
  /** The unsent rows and the age in microseconds of the first of them (NULL when none): the relay's metrics. */
  static final String MEASURE_UNSENT = "SELECT COUNT(*), (SELECT TIMESTAMPDIFF(MICROSECOND, created_at, NOW(6)) FROM outbox"
    + " WHERE sent_at IS NULL ORDER BY seq LIMIT 1) FROM outbox WHERE sent_at IS NULL";
  static final String DELETE_SENT =
    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < NOW(6) - INTERVAL ? SECOND LIMIT " + Prune.CHUNK;
  static final String DELETE_HANDLED =
    "DELETE FROM inbox WHERE processed_at < NOW(6) - INTERVAL ? SECOND LIMIT " + Prune.CHUNK;
  /** Setting: hours an {@code inbox} row is kept (default 192, 8 days). */
  public static final String INBOX_RETENTION_HOURS = "INBOX_RETENTION_HOURS";
  /** Setting: seconds a sent {@code outbox} row is kept for inspection (default 0: deleted once published). */
  public static final String OUTBOX_RETENTION_SECONDS = "OUTBOX_RETENTION_SECONDS";
  static final String MARK_SENT_BEFORE = "UPDATE outbox SET sent_at = NOW(6) WHERE seq IN (";
  /** With a retention of zero a published row is deleted instead of stamped: one index change fewer, no prune later. */
  static final String DELETE_PUBLISHED_BEFORE = "DELETE FROM outbox WHERE seq IN (";
  static final String LOCK = "SELECT GET_LOCK(CONCAT('outbox-relay:', DATABASE()), 0)";
  static final String DATABASE = "SELECT DATABASE()";

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final DeliveryOptions NOT_TRACED = new DeliveryOptions().setTracingPolicy(TracingPolicy.IGNORE);
  private static final Function<Row, Pending> PENDING = row -> new Pending(row.getLong("seq"), row.getString("event_id"),
    row.getString("topic"), row.getString("event_key"), row.getString("event_type"), row.getString("traceparent"),
    row.getString("envelope"));

  /**
   * @param mysqlUri         the service database
   * @param bootstrapServers Kafka
   * @param batchSize        rows read and published per round
   * @param idlePoll         how often to look for rows when nobody wakes the relay
   * @param retention        how long sent rows are kept (for inspection) before they are deleted; zero (the default)
   *                         deletes a row as soon as the broker acknowledged it, instead of stamping it: one index change
   *                         fewer per event, about half the redo, and nothing to prune later (RESULTS runs 12, 13)
   * @param inboxRetention   how long an inbox row (an event a consumer handled) is kept. It must outlast every way an
   *                         event can come again: Kafka's topic retention (7 days by default) for a redelivery or a
   *                         replay from offset 0, and a parked event's replay. Past it the handlers' own state rules
   *                         (an order already PAID, one payment per order) still make a very late duplicate a no-op.
   * @param cleanUpEvery     how often the active relay prunes both
   */
  public record Options(String mysqlUri, String bootstrapServers, int batchSize, Duration idlePoll, Duration retention,
                        Duration inboxRetention, Duration cleanUpEvery) {
    public Options(String mysqlUri, String bootstrapServers) {
      // commits in this process wake the relay at once (wakeUp); the idle poll only finds rows appended elsewhere (a
      // crashed instance's leftovers, a relay that lost its lock), so it can be slow and cheap
      this(mysqlUri, bootstrapServers, 500, Duration.ofSeconds(1), Duration.ZERO, Duration.ofDays(8),
        Duration.ofMinutes(1));
    }

    /** The defaults, with {@link #OUTBOX_RETENTION_SECONDS} and {@link #INBOX_RETENTION_HOURS} from {@code config}. */
    public static Options from(Config config, String mysqlUri, String bootstrapServers) {
      Options d = new Options(mysqlUri, bootstrapServers);
      return d.withRetention(
        Duration.ofSeconds(Math.max(0, config.getLong(OUTBOX_RETENTION_SECONDS, d.retention().toSeconds()))),
        Duration.ofHours(Math.max(1, config.getLong(INBOX_RETENTION_HOURS, d.inboxRetention().toHours()))));
    }

    public Options withBatchSize(int batchSize) {
      return new Options(mysqlUri, bootstrapServers, batchSize, idlePoll, retention, inboxRetention, cleanUpEvery);
    }

    public Options withRetention(Duration outbox, Duration inbox) {
      return new Options(mysqlUri, bootstrapServers, batchSize, idlePoll, outbox, inbox, cleanUpEvery);
    }

    public Options withCleanUpEvery(Duration every) {
      return new Options(mysqlUri, bootstrapServers, batchSize, idlePoll, retention, inboxRetention, every);
    }
  }

  /** Deletes in chunks of {@link #CHUNK} rows, each its own short transaction, until a chunk comes back short. */
  static final class Prune {
    static final int CHUNK = 5_000;
    /** At most this many chunks per clean-up; the next clean-up goes on where this one stopped. */
    static final int MAX_CHUNKS = 200;

    private Prune() {
    }

    static Future<Long> all(Pool pool, String delete, Duration keep, Supplier<Boolean> stopped) {
      return chunk(pool, delete, keep.toSeconds(), stopped, 0, 0);
    }

    private static Future<Long> chunk(Pool pool, String delete, long keepSeconds, Supplier<Boolean> stopped,
                                      int chunks, long deleted) {
      return pool.preparedQuery(delete).execute(Tuple.of(keepSeconds)).compose(rows -> {
        long total = deleted + rows.rowCount();
        return rows.rowCount() < CHUNK || chunks + 1 >= MAX_CHUNKS || stopped.get() ? Future.succeededFuture(total)
          : chunk(pool, delete, keepSeconds, stopped, chunks + 1, total);
      });
    }
  }

  record Pending(long seq, String eventId, String topic, String key, String type, String traceparent,
                 String envelope) {
  }

  /** How often the relay looks for rows while other instances commit them ({@link #poll()}). */
  static final long FOREIGN_POLL_MS = 100;
  /** How long after the last row found by a poll it keeps looking that often. */
  static final long FOREIGN_WINDOW_MS = 10_000;

  private final Options options;
  /** Until when (System.nanoTime) the relay polls every {@link #FOREIGN_POLL_MS}. */
  private long foreignUntil = System.nanoTime();
  private boolean foreignPollScheduled;
  private Pool pool;
  private KafkaProducer<String, Buffer> producer;
  private volatile SqlConnection lockConnection;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  private final AtomicLong backlog = new AtomicLong();
  private final AtomicLong oldestUnsentMicros = new AtomicLong();
  private Counter published;
  private Counter outboxPruned;
  private Counter inboxPruned;
  private Tracing tracing;

  public OutboxRelay(Options options) {
    this.options = options;
  }

  /** Asks the relays of this Vert.x instance to drain now. Safe to call from any Vert.x thread; no-op elsewhere. */
  public static void wakeUp() {
    Context context = Vertx.currentContext();
    if (context != null) {
      // not a span, and not a hop of the caller's trace: the relay's round belongs to no one request
      context.owner().eventBus().publish(WAKE_UP, null, NOT_TRACED);
    }
  }

  @Override
  public Future<?> start() {
    tracing = Tracing.of(vertx);
    pool = Database.pool(vertx, options.mysqlUri(), "outbox-relay-" + System.identityHashCode(this), 3);
    producer = KafkaProducer.create(vertx, KafkaConfig.producer(options.bootstrapServers()));
    vertx.eventBus().localConsumer(WAKE_UP, msg -> drain());
    return pool.query(DATABASE).execute().map(rows -> rows.iterator().next().getString(0)).onSuccess(db -> {
      MeterRegistry registry = Metrics.registryOf(vertx);
      published = Counter.builder("eventmall.outbox.published").tag("database", db)
        .description("outbox events published to Kafka and acknowledged").register(registry);
      outboxPruned = Counter.builder("eventmall.outbox.pruned").tag("database", db)
        .description("sent outbox rows deleted after their retention").register(registry);
      inboxPruned = Counter.builder("eventmall.inbox.pruned").tag("database", db)
        .description("inbox rows (events handled) deleted after their retention").register(registry);
      Gauge.builder("eventmall.outbox.backlog", backlog, AtomicLong::get).tag("database", db)
        .description("outbox rows not yet published").register(registry);
      Gauge.builder("eventmall.outbox.oldest.unsent", oldestUnsentMicros, m -> m.get() / 1e6).tag("database", db)
        .baseUnit("seconds").description("age of the oldest outbox row not yet published, 0 when none")
        .register(registry);
      Gauge.builder("eventmall.outbox.relay.active", this, relay -> relay.active() ? 1 : 0).tag("database", db)
        .description("1 while this instance's relay holds the database's relay lock and publishes, 0 while it stands by")
        .register(registry);
      vertx.setPeriodic(options.idlePoll().toMillis(), id -> poll());
      vertx.setPeriodic(5_000, id -> measure());
      vertx.setPeriodic(options.cleanUpEvery().toMillis(), id -> cleanUp());
      acquireLock();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return producer.close().eventually(() -> lockConnection == null ? Future.succeededFuture() : lockConnection.close());
  }

  /** Whether this relay holds the database's relay lock and publishes. */
  public boolean active() {
    return lockConnection != null;
  }

  private void acquireLock() {
    if (stopped) {
      return;
    }
    pool.getConnection().compose(conn -> conn.query(LOCK).execute().compose(rows -> {
      Row row = rows.iterator().next();
      if (row.getInteger(0) != null && row.getInteger(0) == 1) {
        lockConnection = conn;
        conn.closeHandler(v -> {
          lockConnection = null;
          if (!stopped) {
            LOG.warn("outbox relay lost its lock connection; re-acquiring");
            vertx.setTimer(1_000, id -> acquireLock());
          }
        });
        LOG.info("outbox relay active");
        drain();
        return Future.succeededFuture();
      }
      return conn.close().compose(v -> Future.failedFuture("another relay holds the lock"));
    })).onFailure(e -> {
      LOG.debug("outbox relay standing by: {}", e.getMessage());
      vertx.setTimer(1_000, id -> acquireLock());
    });
  }

  /**
   * The idle poll. Rows it finds were committed by another instance (commits here wake the relay at once): replicas of
   * the service whose relays stand by. While they keep coming, look again every {@link #FOREIGN_POLL_MS} instead of
   * waiting for the next idle poll, so their events wait ~{@value #FOREIGN_POLL_MS} ms, not up to a whole idle poll;
   * {@link #FOREIGN_WINDOW_MS} after the last such row it is back to the idle poll alone.
   */
  private void poll() {
    if (stopped || lockConnection == null) {
      return;
    }
    // a round under way reads what is there anyway
    Future<Integer> round = draining ? Future.succeededFuture(0) : drain();
    round.onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded() && ar.result() > 0) {
        foreignUntil = now + FOREIGN_WINDOW_MS * 1_000_000;
      }
      if (now - foreignUntil < 0 && !foreignPollScheduled) {
        foreignPollScheduled = true;
        vertx.setTimer(FOREIGN_POLL_MS, id -> {
          foreignPollScheduled = false;
          poll();
        });
      }
    });
  }

  /** Drains; answers how many rows the first round read (0 also when it did not run: no lock, or a round under way). */
  private Future<Integer> drain() {
    if (stopped || lockConnection == null) {
      return Future.succeededFuture(0);
    }
    if (draining) {
      again = true;
      return Future.succeededFuture(0);
    }
    draining = true;
    again = false;
    return pool.preparedQuery(SELECT_UNSENT).mapping(PENDING).execute(Tuple.of(options.batchSize()))
      .compose(this::publish)
      .onComplete(ar -> {
        draining = false;
        if (ar.failed()) {
          LOG.warn("outbox relay round failed, retrying shortly: {}", ar.cause().toString());
          vertx.setTimer(500, id -> drain());
        } else if (ar.result() == options.batchSize() || again) {
          drain();
        }
      });
  }

  /** Sends every row, stamps those the broker acknowledged, fails if any was not. */
  private Future<Integer> publish(RowSet<Pending> rows) {
    if (rows.size() == 0) {
      return Future.succeededFuture(0);
    }
    List<Pending> batch = new ArrayList<>(rows.size());
    rows.forEach(batch::add);
    return sendAll(batch).compose(sent -> {
      List<Long> acked = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        if (sent.failures[i] == null) {
          acked.add(batch.get(i).seq());
        }
      }
      return markSent(acked).compose(v -> {
        for (Throwable failure : sent.failures) {
          if (failure != null) {
            return Future.failedFuture(failure);
          }
        }
        return Future.succeededFuture(batch.size());
      });
    });
  }

  /** Per row of a round: null when the broker acknowledged it, else why not. */
  private record Sent(Throwable[] failures) {
  }

  /**
   * Hands the whole round to the Kafka producer in one worker task, in seq order (so one key's events keep their
   * order), and comes back to this relay's context once, when the broker answered for every row — instead of a worker
   * task and two context switches per row through the Vert.x producer wrapper.
   */
  private Future<Sent> sendAll(List<Pending> batch) {
    Context context = vertx.getOrCreateContext();
    Producer<String, Buffer> kafka = producer.unwrap();
    Promise<Sent> done = Promise.promise();
    Throwable[] failures = new Throwable[batch.size()];
    AtomicInteger outstanding = new AtomicInteger(batch.size());
    Runnable oneAnswered = () -> {
      if (outstanding.decrementAndGet() == 0) {
        context.runOnContext(v -> done.complete(new Sent(failures)));
      }
    };
    Span[] spans = new Span[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      spans[i] = span(batch.get(i));
    }
    vertx.executeBlocking(() -> {
      for (int i = 0; i < batch.size(); i++) {
        int index = i;
        try {
          kafka.send(record(batch.get(i), spans[i]), (meta, error) -> {
            failures[index] = error;
            if (error == null) {
              spans[index].setAttribute("messaging.destination.partition.id", Integer.toString(meta.partition()))
                .setAttribute("messaging.kafka.offset", meta.offset());
            }
            end(spans[index], error);
            oneAnswered.run();
          });
        } catch (RuntimeException refused) {
          failures[index] = refused; // the producer threw instead of calling back (e.g. closed)
          end(spans[index], refused);
          oneAnswered.run();
        }
      }
      return null;
    }, false).onFailure(done::tryFail);
    return done.future();
  }

  /**
   * The send's PRODUCER span, a child of the span that appended the event (the consumers continue from it); the
   * invalid span (which records nothing) when tracing is off or the event was appended outside a trace.
   */
  private Span span(Pending row) {
    if (!tracing.enabled() || row.traceparent() == null) {
      return Span.getInvalid();
    }
    return tracing.start(SpanKind.PRODUCER, row.topic() + " publish", row.traceparent())
      .setAttribute("messaging.system", "kafka")
      .setAttribute("messaging.operation.type", "send")
      .setAttribute("messaging.destination.name", row.topic())
      .setAttribute("messaging.message.id", row.eventId())
      .setAttribute("messaging.kafka.message.key", row.key())
      .setAttribute("eventmall.event.type", row.type());
  }

  private static void end(Span span, Throwable failure) {
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, failure.toString());
    }
    span.end();
  }

  private static ProducerRecord<String, Buffer> record(Pending row, Span span) {
    ProducerRecord<String, Buffer> record = new ProducerRecord<>(row.topic(), row.key(), Buffer.buffer(row.envelope()));
    record.headers().add("type", row.type().getBytes(StandardCharsets.UTF_8));
    String traceparent = span.getSpanContext().isValid() ? Tracing.traceparent(span.getSpanContext()) : row.traceparent();
    if (traceparent != null) {
      record.headers().add(Tracing.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }

  private Future<Void> markSent(List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture();
    }
    // one statement per round; the IN list is padded to a power of two so the prepared statement is reused
    return Sql.updateIn(pool, options.retention().isZero() ? DELETE_PUBLISHED_BEFORE : MARK_SENT_BEFORE, ")",
        Tuple.tuple(), seqs)
      .onSuccess(r -> published.increment(seqs.size()))
      .mapEmpty();
  }

  private void measure() {
    pool.query(MEASURE_UNSENT).execute().onSuccess(rows -> {
      Row row = rows.iterator().next();
      backlog.set(row.getLong(0));
      Long micros = row.getLong(1);
      oldestUnsentMicros.set(micros == null ? 0 : Math.max(0, micros));
    });
  }

  private boolean cleaning;

  /**
   * Prunes sent outbox rows and old inbox rows. Before, one DELETE of at most 10,000 outbox rows a minute could not keep
   * up with a saga at load (~2,400 events a second at 300 orders/s) and nothing pruned the inbox, so both grew for ever.
   */
  private void cleanUp() {
    if (lockConnection == null || cleaning || stopped) {
      return;
    }
    cleaning = true;
    Prune.all(pool, DELETE_SENT, options.retention(), () -> stopped)
      .onSuccess(n -> outboxPruned.increment(n))
      .compose(n -> Prune.all(pool, DELETE_HANDLED, options.inboxRetention(), () -> stopped))
      .onSuccess(n -> inboxPruned.increment(n))
      .onFailure(e -> {
        if (!stopped) {
          LOG.warn("outbox/inbox clean-up failed: {}", e.toString());
        }
      })
      .onComplete(ar -> cleaning = false);
  }
}
