package dev.eventmall.common.outbox;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transactional outbox over a real MySQL-compatible server and a real Kafka broker. */
@ExtendWith(VertxExtension.class)
@Needs({Infra.KAFKA, Infra.MYSQL})
class OutboxRelayTest {
  static final List<String> KEYS = List.of("k1", "k2", "k3", "k4", "k5");

  String kafka;
  String mysqlUri;
  String topic;
  Pool pool;
  TopicReader reader;

  @BeforeEach
  void setUp(Vertx vertx) {
    kafka = TestInfra.kafka();
    mysqlUri = TestInfra.freshDatabase("outbox");
    topic = "test.outbox." + UUID.randomUUID();
    Await.result(Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/testing"));
    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(topic), 3, 1));
    pool = Database.pool(vertx, mysqlUri, "test-" + topic, 8);
    for (String k : KEYS) {
      Await.result(pool.preparedQuery("INSERT INTO counters (k, n) VALUES (?, 0)").execute(Tuple.of(k)));
    }
    reader = new TopicReader(kafka, topic);
  }

  @AfterEach
  void tearDown() throws Exception {
    reader.close();
  }

  /** One state change: bump the key's counter and append an event carrying the new value, in one transaction. */
  Future<EventEnvelope> bump(String key, boolean rollBack) {
    return bump(pool, key, rollBack);
  }

  /** As {@link #bump(String, boolean)} through {@code pool} (another instance's). */
  Future<EventEnvelope> bump(Pool pool, String key, boolean rollBack) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE counters SET n = n + 1 WHERE k = ?")
      .execute(Tuple.of(key))
      .compose(v -> conn.preparedQuery("SELECT n FROM counters WHERE k = ?").execute(Tuple.of(key)))
      .compose(rows -> {
        int n = rows.iterator().next().getInteger(0);
        EventEnvelope event = EventEnvelope.of("TestHappened", key, new JsonObject().put("n", n));
        return Outbox.append(conn, topic, event).map(event);
      })
      .compose(event -> rollBack ? Future.failedFuture(new IllegalStateException("roll back " + event.id()))
        : Future.succeededFuture(event)));
  }

  /** Per key, the counter values in the order the events appear on the topic (first occurrence of each id). */
  static Map<String, List<Integer>> valuesByKey(List<ConsumerRecord<String, String>> records) {
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, String> r : records) {
      EventEnvelope e = EventEnvelope.fromJson(new JsonObject(r.value()));
      assertThat(r.key()).isEqualTo(e.key());
      assertThat(new String(r.headers().lastHeader("type").value())).isEqualTo("TestHappened");
      EventSchemas.validate(e);
      if (seen.add(e.id().toString())) {
        byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.payload().getInteger("n"));
      }
    }
    return byKey;
  }

  @Test
  void concurrentCommittedEventsArePublishedInCommitOrderPerKeyAndRolledBackOnesNever(Vertx vertx) {
    Await.result(vertx.deployVerticle(() -> new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka).withBatchSize(50)),
      new DeploymentOptions()));
    int perKey = 40;
    List<Future<EventEnvelope>> committed = new ArrayList<>();
    List<Future<EventEnvelope>> rolledBack = new ArrayList<>();
    for (int i = 0; i < perKey; i++) {
      for (String k : KEYS) {
        committed.add(bump(k, false));
        if (i % 10 == 0) {
          rolledBack.add(bump(k, true));
        }
      }
    }
    Await.result(Future.join(committed));
    Await.failure(Future.join(rolledBack));
    assertThat(rolledBack).allMatch(Future::failed);
    assertThat(committed).allMatch(Future::succeeded);

    // a sentinel appended after everything: once it is on Kafka, everything before it was relayed
    EventEnvelope sentinel = Await.result(bump("k1", false));
    Await.until("sentinel published", Duration.ofSeconds(30), () -> reader.records().stream()
      .anyMatch(r -> r.value().contains(sentinel.id().toString())));

    Map<String, List<Integer>> byKey = valuesByKey(reader.records());
    for (String k : KEYS) {
      int expected = k.equals("k1") ? perKey + 1 : perKey;
      assertThat(byKey.get(k)).as("values of %s in publish order", k)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, expected).boxed().toList());
    }
    Set<String> published = new HashSet<>();
    reader.records().forEach(r -> published.add(EventEnvelope.fromJson(new JsonObject(r.value())).id().toString()));
    assertThat(rolledBack).noneMatch(f -> f.cause().getMessage() != null
      && published.stream().anyMatch(id -> f.cause().getMessage().contains(id)));
    Long unsent = Await.result(pool.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").execute())
      .iterator().next().getLong(0);
    assertThat(unsent).isZero();
  }

  /**
   * Two instances of a service over one database (replicas): the relay of the first publishes, the second's stands by.
   * Events the second commits wake only its own relay, which has no lock; the first finds them at its idle poll (1 s),
   * then looks every 100 ms while they keep coming, so they wait ~100 ms each instead of up to a whole idle poll.
   */
  @Test
  void eventsCommittedByAnInstanceWhoseRelayStandsByArePublishedWithinMilliseconds(Vertx vertx) throws Exception {
    OutboxRelay publishing = new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka));
    Await.result(vertx.deployVerticle(publishing));
    Await.until("the first relay holds the lock", Duration.ofSeconds(10), publishing::active);
    Vertx other = Vertx.vertx();
    try {
      OutboxRelay standingBy = new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka));
      Await.result(other.deployVerticle(standingBy));
      Pool otherPool = Database.pool(other, mysqlUri, "other-" + topic, 2);
      List<Long> waited = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        EventEnvelope event = Await.result(bump(otherPool, "k1", false));
        long committed = System.nanoTime();
        Await.until("event " + i + " published", Duration.ofSeconds(5), () -> reader.records().stream()
          .anyMatch(r -> r.value().contains(event.id().toString())));
        waited.add((System.nanoTime() - committed) / 1_000_000);
        Thread.sleep(150);
      }
      System.out.println("# ms from commit (by the instance standing by) to the record on Kafka: " + waited);
      assertThat(standingBy.active()).as("the second instance's relay").isFalse();
      // the first may wait for the idle poll; the others are found by the 100 ms polls (before: up to 1 s each)
      assertThat(waited.subList(1, waited.size())).as("ms from commit to publish, %s", waited).allMatch(ms -> ms < 500);
    } finally {
      Await.shutDown(other.close());
    }
  }

  /**
   * With a retention ({@code OUTBOX_RETENTION_SECONDS} above 0) a published row is stamped sent and kept: a relay
   * stopped mid-stream leaves unstamped rows, the next one publishes everything per key in order, and every row ends
   * stamped, none deleted (the clean-up prunes them only once older than the retention).
   */
  @Test
  void withARetentionARelayKilledMidStreamLosesNothingAfterRestartAndEveryRowEndsStamped(Vertx vertx) {
    int total = 1_500;
    commitBeforeAnyRelay(total);
    Duration retention = Duration.ofHours(1);

    String first = Await.result(vertx.deployVerticle(() -> new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka)
      .withBatchSize(25).withRetention(retention, Duration.ofDays(8))), new DeploymentOptions()));
    reader.awaitCount(100, Duration.ofSeconds(30));
    Await.shutDown(vertx.undeploy(first));
    long unsentAfterKill = Await.result(pool.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").execute())
      .iterator().next().getLong(0);
    assertThat(unsentAfterKill).as("the relay was stopped mid-stream").isGreaterThan(0);

    Await.result(vertx.deployVerticle(() -> new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka)
      .withBatchSize(200).withRetention(retention, Duration.ofDays(8))), new DeploymentOptions()));
    awaitAllPublishedInOrder(total);
    Await.until("every row stamped sent", Duration.ofSeconds(10),
      () -> count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0);
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")).as("rows kept, stamped sent")
      .isEqualTo(total);
  }

  /** {@code OUTBOX_RETENTION_SECONDS}: 0 unless set (published rows deleted); a value keeps them that long. */
  @Test
  void theRetentionIsZeroByDefaultAndTheSettingKeepsSentRowsForThatLong() {
    assertThat(new OutboxRelay.Options(mysqlUri, kafka).retention()).isZero();
    assertThat(OutboxRelay.Options.from(Config.of(Map.of()), mysqlUri, kafka).retention()).isZero();
    assertThat(OutboxRelay.Options.from(Config.of(Map.of(OutboxRelay.OUTBOX_RETENTION_SECONDS, "3600")), mysqlUri,
      kafka).retention()).isEqualTo(Duration.ofHours(1));
    assertThat(OutboxRelay.Options.from(Config.of(Map.of(OutboxRelay.OUTBOX_RETENTION_SECONDS, "-5")), mysqlUri,
      kafka).retention()).as("a negative setting").isZero();
  }

  /**
   * By default (retention zero, {@code OUTBOX_RETENTION_SECONDS} unset or 0) a row the broker acknowledged is deleted in
   * the round that published it instead of stamped: a relay stopped mid-stream leaves rows none of which is stamped, the
   * next relay publishes them (again, for a round stopped between the broker's answer and the delete), per key in
   * order, and the outbox ends empty.
   */
  @Test
  void byDefaultPublishedRowsAreDeletedAndARelayStoppedMidStreamStillLosesNothing(Vertx vertx) {
    int total = 1_000;
    commitBeforeAnyRelay(total);
    Supplier<OutboxRelay> relay = () -> new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka).withBatchSize(25));

    String first = Await.result(vertx.deployVerticle(relay, new DeploymentOptions()));
    reader.awaitCount(100, Duration.ofSeconds(30));
    Await.shutDown(vertx.undeploy(first));
    long left = count("SELECT COUNT(*) FROM outbox");
    assertThat(left).as("rows left after the stop: the relay was stopped mid-stream").isBetween(1L, total - 100L);
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")).as("rows stamped sent").isZero();

    Await.result(vertx.deployVerticle(relay, new DeploymentOptions()));
    awaitAllPublishedInOrder(total);
    Await.until("the outbox emptied", Duration.ofSeconds(10), () -> count("SELECT COUNT(*) FROM outbox") == 0);
  }

  /**
   * What an operator reads on {@code /metrics} while events wait: another connection holds the database's relay lock (a
   * hung replica, say), so the relay under test stands by. {@code eventmall_outbox_backlog} counts the unsent rows and
   * {@code eventmall_outbox_oldest_unsent_seconds} is the age of the oldest (the alert OutboxRelayStalled reads it);
   * once that connection goes, the relay takes over, publishes them and both read 0.
   */
  @Test
  void theScrapeShowsTheBacklogAndTheAgeOfTheOldestUnsentEventUntilTheRelayPublishesThem(Vertx vertx) {
    Metrics metrics = Metrics.create("outbox-test");
    Vertx own = metrics.newVertx(new VertxOptions().setEventLoopPoolSize(1));
    WebClient client = WebClient.create(own);
    // a connection of its own (not pooled): closing it ends the session and with it the lock
    SqlConnection holder = Await.result(MySQLConnection.connect(vertx, MySQLConnectOptions.fromUri(mysqlUri)));
    try {
      assertThat(Await.result(holder.query(OutboxRelay.LOCK).execute()).iterator().next().getInteger(0))
        .as("the test holds the relay lock").isEqualTo(1);
      List<EventEnvelope> waiting = List.of(Await.result(bump("k1", false)), Await.result(bump("k2", false)),
        Await.result(bump("k3", false)));
      // the first of them was appended ten minutes ago
      Await.result(pool.query("UPDATE outbox SET created_at = NOW(6) - INTERVAL 600 SECOND ORDER BY seq LIMIT 1")
        .execute());
      int port = Await.result(HttpBootstrap.listen(own, HttpBootstrap.builder(own).metrics(metrics).build(), 0))
        .actualPort();
      Await.result(own.deployVerticle(new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka)), new DeploymentOptions()));

      Supplier<String> scrape = () -> Await.result(client.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
      Await.until(() -> "backlog 3, oldest about 600 s in\n" + outboxLines(scrape.get()), Duration.ofSeconds(30), () -> {
        String text = scrape.get();
        return sample(text, "eventmall_outbox_backlog") == 3.0
          && sample(text, "eventmall_outbox_oldest_unsent_seconds") >= 600.0
          && sample(text, "eventmall_outbox_oldest_unsent_seconds") < 700.0;
      });
      assertThat(reader.records()).as("nothing published while the lock is held elsewhere").isEmpty();

      Await.result(holder.close());
      Await.until(() -> "backlog 0, oldest 0 in\n" + outboxLines(scrape.get()), Duration.ofSeconds(30), () -> {
        String text = scrape.get();
        return sample(text, "eventmall_outbox_backlog") == 0.0
          && sample(text, "eventmall_outbox_oldest_unsent_seconds") == 0.0;
      });
      assertThat(valuesByKey(reader.awaitCount(3, Duration.ofSeconds(10))).keySet())
        .containsExactlyInAnyOrderElementsOf(waiting.stream().map(EventEnvelope::key).toList());
    } finally {
      holder.close();
      client.close();
      Await.result(own.close());
    }
  }

  /**
   * The active relay prunes sent outbox rows past their retention and inbox rows past theirs, in chunks until none is
   * left (more than one chunk of each here), keeps the younger rows and every unsent one, and counts what it deleted on
   * the scrape.
   */
  @Test
  void theRelayPrunesSentOutboxRowsAndHandledInboxRowsPastTheirRetentionAndKeepsTheRest(Vertx vertx) {
    int oldInbox = OutboxRelay.Prune.CHUNK * 2 + 17;
    int oldOutbox = OutboxRelay.Prune.CHUNK + 3;
    List<Tuple> inbox = new ArrayList<>();
    IntStream.range(0, oldInbox).forEach(i -> inbox.add(Tuple.of("c-" + (i % 3), UUID.randomUUID().toString(), 9 * 24)));
    IntStream.range(0, 10).forEach(i -> inbox.add(Tuple.of("c-young", UUID.randomUUID().toString(), 7 * 24)));
    Await.result(pool.preparedQuery("INSERT INTO inbox (consumer, event_id, event_type, processed_at)"
      + " VALUES (?, ?, 'Handled', NOW(6) - INTERVAL ? HOUR)").executeBatch(inbox));
    List<Tuple> outbox = new ArrayList<>();
    IntStream.range(0, oldOutbox).forEach(i -> outbox.add(Tuple.of(UUID.randomUUID().toString(), 7_200)));
    IntStream.range(0, 5).forEach(i -> outbox.add(Tuple.of(UUID.randomUUID().toString(), 600)));
    Await.result(pool.preparedQuery("INSERT INTO outbox (event_id, topic, event_key, event_type, envelope, created_at,"
      + " sent_at) VALUES (?, 'elsewhere', 'k', 'Old', '{}', NOW(6) - INTERVAL ? SECOND, NOW(6) - INTERVAL ? SECOND)")
      .executeBatch(outbox.stream().map(t -> Tuple.of(t.getString(0), t.getInteger(1), t.getInteger(1))).toList()));
    EventEnvelope unsent = Await.result(bump("k1", false));

    Metrics metrics = Metrics.create("outbox-prune-test");
    Vertx own = metrics.newVertx(new VertxOptions().setEventLoopPoolSize(1));
    WebClient client = WebClient.create(own);
    try {
      int port = Await.result(HttpBootstrap.listen(own, HttpBootstrap.builder(own).metrics(metrics).build(), 0))
        .actualPort();
      Await.result(own.deployVerticle(new OutboxRelay(new OutboxRelay.Options(mysqlUri, kafka)
        .withRetention(Duration.ofHours(1), Duration.ofDays(8)).withCleanUpEvery(Duration.ofMillis(300))),
        new DeploymentOptions()));
      Supplier<String> scrape = () -> Await.result(client.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
      Await.until(() -> "pruned counters\n" + scrape.get().lines().filter(l -> l.contains("_pruned")).toList(),
        Duration.ofSeconds(60), () -> {
          String text = scrape.get();
          return sample(text, "eventmall_inbox_pruned_total") == oldInbox
            && sample(text, "eventmall_outbox_pruned_total") == oldOutbox;
        });
      assertThat(count("SELECT COUNT(*) FROM inbox")).as("the inbox rows younger than 8 days").isEqualTo(10);
      assertThat(count("SELECT COUNT(*) FROM inbox WHERE consumer = 'c-young'")).isEqualTo(10);
      assertThat(count("SELECT COUNT(*) FROM outbox WHERE topic = 'elsewhere'"))
        .as("the rows sent 10 minutes ago").isEqualTo(5);
      assertThat(count("SELECT COUNT(*) FROM outbox WHERE event_id = '" + unsent.id() + "'"))
        .as("the event appended just now, published and kept").isEqualTo(1);
      assertThat(reader.awaitCount(1, Duration.ofSeconds(10))).hasSize(1);
    } finally {
      client.close();
      Await.result(own.close());
    }
  }

  /** {@code total} events, spread evenly over {@link #KEYS}, committed before any relay runs. */
  void commitBeforeAnyRelay(int total) {
    List<Future<EventEnvelope>> appended = new ArrayList<>();
    for (int i = 0; i < total / KEYS.size(); i++) {
      for (String k : KEYS) {
        appended.add(bump(k, false));
      }
    }
    Await.result(Future.all(appended), Duration.ofSeconds(60));
  }

  /** Waits until the {@code total} events of {@link #commitBeforeAnyRelay} are on the topic, each key's in order. */
  void awaitAllPublishedInOrder(int total) {
    Await.until("all " + total + " distinct events published", Duration.ofSeconds(60),
      () -> valuesByKey(reader.records()).values().stream().mapToInt(List::size).sum() >= total);
    Map<String, List<Integer>> byKey = valuesByKey(reader.records());
    for (String k : KEYS) {
      assertThat(byKey.get(k)).containsExactlyElementsOf(IntStream.rangeClosed(1, total / KEYS.size()).boxed().toList());
    }
  }

  long count(String sql) {
    return Await.result(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  /** The value of the sample of {@code name} in a Prometheus text exposition, NaN while there is none. */
  static double sample(String exposition, String name) {
    List<String> lines = exposition.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList();
    assertThat(lines).as(name + " samples").hasSizeLessThanOrEqualTo(1);
    return lines.isEmpty() ? Double.NaN : Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1));
  }

  static String outboxLines(String exposition) {
    return String.join("\n", exposition.lines().filter(l -> l.startsWith("eventmall_outbox_")).toList());
  }

  @Test
  void anEventThatViolatesItsSchemaIsRefusedAndNothingIsStored() {
    EventEnvelope bad = EventEnvelope.of("TestHappened", "k1", new JsonObject().put("n", "not a number"));
    EventEnvelope unknown = EventEnvelope.of("NoSuchType", "k1", new JsonObject());
    assertThatThrownBy(() -> Await.result(pool.withTransaction(conn -> Outbox.append(conn, topic, bad))))
      .isInstanceOf(EventSchemas.InvalidEventException.class).hasMessageContaining("/n");
    assertThatThrownBy(() -> Await.result(pool.withTransaction(conn -> Outbox.append(conn, topic, unknown))))
      .isInstanceOf(EventSchemas.InvalidEventException.class).hasMessageContaining("NoSuchType");
    Long rows = Await.result(pool.query("SELECT COUNT(*) FROM outbox").execute()).iterator().next().getLong(0);
    assertThat(rows).isZero();
  }
}
