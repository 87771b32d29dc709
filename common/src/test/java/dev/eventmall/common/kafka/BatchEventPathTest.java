package dev.eventmall.common.kafka;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.common.outbox.OutboxRelay;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch-shaped event path over real Kafka and MariaDB: a {@link BatchHandler} that applies a whole poll in one
 * transaction (one inbox claim, one effect row per event, one commit), the bridge's isolation of a poison event, and
 * the relay re-publishing after a crash between publish and mark.
 */
@ExtendWith(VertxExtension.class)
@Needs({Infra.KAFKA, Infra.MYSQL})
class BatchEventPathTest {
  static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(400));
  static final String CONSUMER = "batch-test";

  String kafka;
  String topic;
  String group;
  Pool pool;
  String mysqlUri;
  KafkaProducer<String, String> producer;
  /** The size of every batch the handler was given. */
  final List<Integer> batches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    kafka = TestInfra.kafka();
    mysqlUri = TestInfra.freshDatabase("batch");
    Await.result(Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/testing"));
    pool = Database.pool(vertx, mysqlUri, "batch-test-" + UUID.randomUUID(), 4);
    topic = "test.batch." + UUID.randomUUID();
    group = "batch-test-" + UUID.randomUUID();
    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(topic, Topics.dlq(topic)), 3, 1));
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(props);
    // the domain side: every new event leaves one effect row "<key>:<n>" in batch order, all in one transaction; a
    // "poison" event breaks the transaction (a NULL into a NOT NULL column) and with it the whole batch
    BatchHandler applies = batch -> {
      batches.add(batch.size());
      return pool.withTransaction(conn -> Inbox.claimAll(conn, CONSUMER, batch.stream().map(Consumed::event).toList())
        .compose(fresh -> {
          Future<Void> chain = Future.succeededFuture();
          for (Consumed c : batch) {
            if (!fresh.remove(c.event().id())) {
              continue;
            }
            boolean poison = c.payload().getBoolean("poison", false);
            String note = poison ? null : c.event().key() + ":" + c.payload().getInteger("n");
            chain = chain.compose(v -> conn.preparedQuery("INSERT INTO effects (note) VALUES (?)")
              .execute(Tuple.of(note)).mapEmpty());
          }
          return chain;
        })).map(v -> batch.stream().map(c -> c.payload().getBoolean("hang", false) ? NEVER
          : Future.<Void>succeededFuture()).toList());
    };
    // it acts on every type but "Ignored"
    Await.result(EventHandlers.registerBatch(vertx, group, List.of(topic), new BatchHandler() {
      @Override
      public Future<List<Future<Void>>> handle(List<Consumed> batch) {
        return applies.handle(batch);
      }

      @Override
      public boolean actsOn(String topic, String type) {
        return !"Ignored".equals(type);
      }
    }));
  }

  /** The outcome a handler never gives (a "hang" event): the bridge's handler timeout must end it. */
  static final Future<Void> NEVER = io.vertx.core.Promise.<Void>promise().future();

  @AfterEach
  void tearDown() {
    producer.close();
  }

  EventEnvelope send(String key, int n, boolean poison) throws Exception {
    EventEnvelope e = EventEnvelope.of("TestHappened", key, new JsonObject().put("n", n).put("poison", poison));
    producer.send(new ProducerRecord<>(topic, key, e.toJson().encode())).get();
    return e;
  }

  void deployBridge(Vertx vertx) {
    deployBridge(vertx, new KafkaEventBridge.Options(kafka, group, List.of(topic)).withRetry(RETRY));
  }

  void deployBridge(Vertx vertx, KafkaEventBridge.Options options) {
    Await.result(vertx.deployVerticle(() -> new KafkaEventBridge(options), new DeploymentOptions()));
  }

  /** The effect rows, in the order they were written. */
  List<String> effects() {
    List<String> notes = new ArrayList<>();
    for (Row row : Await.result(pool.query("SELECT note FROM effects ORDER BY id").execute())) {
      notes.add(row.getString(0));
    }
    return notes;
  }

  static List<Integer> oneTo(int n) {
    return java.util.stream.IntStream.rangeClosed(1, n).boxed().toList();
  }

  static Map<String, List<Integer>> byKey(List<String> notes) {
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    for (String note : notes) {
      String[] kn = note.split(":");
      byKey.computeIfAbsent(kn[0], k -> new ArrayList<>()).add(Integer.parseInt(kn[1]));
    }
    return byKey;
  }

  @Test
  void aPoisonEventInsideABatchIsParkedAloneWhileTheRestCommitInKeyOrder(Vertx vertx) throws Exception {
    EventEnvelope poison = null;
    for (int n = 1; n <= 10; n++) {
      for (String key : List.of("a", "b", "c")) {
        send(key, n, false);
        if (key.equals("b") && n == 5) {
          poison = send("b", 0, true);
        }
      }
    }
    deployBridge(vertx);

    try (TopicReader dlq = new TopicReader(kafka, Topics.dlq(topic))) {
      List<ConsumerRecord<String, String>> parked = dlq.awaitCount(1, Duration.ofSeconds(60));
      assertThat(parked).hasSize(1);
      assertThat(parked.get(0).value()).contains(poison.id().toString());
      Await.until("30 effects", Duration.ofSeconds(60), () -> effects().size() >= 30);
      Thread.sleep(1_000); // nothing more may come
      assertThat(dlq.records()).as("only the poison is parked").hasSize(1);
    }
    List<String> notes = effects();
    assertThat(notes).hasSize(30).doesNotHaveDuplicates();
    List<Integer> oneToTen = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(byKey(notes)).as("every key's events applied once each, in order")
      .containsEntry("a", oneToTen).containsEntry("b", oneToTen).containsEntry("c", oneToTen);
    assertThat(batches).as("the records of a poll came as one batch").anyMatch(size -> size > 1);
  }

  /**
   * Issue 12: records of a type the group's handler does not act on are acknowledged by their {@code type} header,
   * never parsed nor handed over — here bodies that are not even JSON, which the bridge would otherwise park — while the
   * events between them are applied in order and the group's offsets move past all of them. Before: each was parsed,
   * found no envelope, and parked on the dead-letter topic.
   */
  @Test
  void recordsOfATypeTheHandlerIgnoresAreAcknowledgedWithoutBeingParsed(Vertx vertx) throws Exception {
    for (int n = 1; n <= 20; n++) {
      send("k", n, false);
      ProducerRecord<String, String> ignored = new ProducerRecord<>(topic, "k", "not json " + n);
      ignored.headers().add("type", "Ignored".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      producer.send(ignored).get();
    }
    deployBridge(vertx);

    Await.until("20 effects", Duration.ofSeconds(60), () -> effects().size() >= 20);
    assertThat(byKey(effects()).get("k")).isEqualTo(oneTo(20));
    assertThat(batches.stream().mapToInt(Integer::intValue).sum()).as("only the 20 events handed over").isEqualTo(20);
    List<org.apache.kafka.common.TopicPartition> partitions = List.of(0, 1, 2).stream()
      .map(p -> new org.apache.kafka.common.TopicPartition(topic, p)).toList();
    Await.until("the group's offsets past all 40 records", Duration.ofSeconds(30),
      () -> TopicReader.committed(kafka, group, partitions).values().stream().mapToLong(o -> Math.max(0, o)).sum() == 40);
    try (TopicReader dlq = new TopicReader(kafka, Topics.dlq(topic))) {
      Thread.sleep(1_000);
      assertThat(dlq.records()).as("nothing parked").isEmpty();
    }
  }

  @Test
  void aBatchMixingEventsOfOneAggregateAppliesThemInOrder(Vertx vertx) throws Exception {
    for (int n = 1; n <= 40; n++) {
      send("same", n, false);
    }
    deployBridge(vertx);

    Await.until("40 effects", Duration.ofSeconds(60), () -> effects().size() >= 40);
    assertThat(byKey(effects()).get("same")).isEqualTo(oneTo(40));
    assertThat(batches).as("several events of the aggregate in one batch").anyMatch(size -> size > 1);
    assertThat(batches.stream().mapToInt(Integer::intValue).sum()).as("each event handed over once").isEqualTo(40);
  }

  /**
   * An event whose outcome never comes (its handler's future never completes) fails after the handler timeout, goes
   * down the single-record lane, times out there too and is parked, while the events around it commit in key order.
   * The per-record timeout is a timer of the bridge's event loop (not {@code Future.timeout}, which put every record's
   * timer on a Netty thread of its own, {@code GlobalEventExecutor}).
   */
  @Test
  void anEventWhoseOutcomeNeverComesIsParkedAfterTheHandlerTimeoutWhileTheRestCommit(Vertx vertx) throws Exception {
    EventEnvelope hang = EventEnvelope.of("TestHappened", "h", new JsonObject().put("n", 3).put("hang", true));
    for (int n = 1; n <= 5; n++) {
      if (n == 3) {
        producer.send(new ProducerRecord<>(topic, "h", hang.toJson().encode())).get();
      } else {
        send("h", n, false);
      }
      send("o", n, false);
    }
    long began = System.nanoTime();
    deployBridge(vertx, new KafkaEventBridge.Options(kafka, group, List.of(topic)).withRetry(RETRY)
      .withHandlerTimeout(Duration.ofMillis(300)));

    try (TopicReader dlq = new TopicReader(kafka, Topics.dlq(topic))) {
      List<ConsumerRecord<String, String>> parked = dlq.awaitCount(1, Duration.ofSeconds(60));
      assertThat(parked).hasSize(1);
      assertThat(parked.get(0).value()).contains(hang.id().toString());
      Await.until("10 effects", Duration.ofSeconds(30), () -> effects().size() >= 10);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - began)).as("three attempts of 300 ms, not the default 10 s")
      .isLessThan(Duration.ofSeconds(30));
    Map<String, List<Integer>> byKey = byKey(effects());
    assertThat(byKey.get("o")).as("the other key's events, each once, in order").isEqualTo(oneTo(5));
    assertThat(byKey.get("h")).as("the hanging event's own effect was written once, the others in order")
      .isEqualTo(oneTo(5));
  }

  @Test
  void aRelayCrashBetweenPublishAndMarkRepublishesAndTheConsumerDropsTheDuplicates(Vertx vertx) throws Exception {
    List<EventEnvelope> events = new ArrayList<>();
    for (int n = 1; n <= 12; n++) {
      EventEnvelope e = EventEnvelope.of("TestHappened", "k" + n % 3, new JsonObject().put("n", n));
      events.add(e);
      Await.result(pool.withTransaction(conn -> Outbox.append(conn, topic, e)));
    }
    // the relays keep published rows stamped (a retention), so that un-stamping them re-creates a crash's leftovers
    OutboxRelay.Options stamping = new OutboxRelay.Options(mysqlUri, kafka)
      .withRetention(Duration.ofHours(1), Duration.ofDays(8));
    try (TopicReader reader = new TopicReader(kafka, topic)) {
      String relay = Await.result(vertx.deployVerticle(new OutboxRelay(stamping)));
      reader.awaitCount(12, Duration.ofSeconds(30));
      Await.until("all 12 marked sent", Duration.ofSeconds(30), () -> Await.result(pool.query(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").execute()).iterator().next().getLong(0) == 0);
      Await.result(vertx.undeploy(relay));
      // what a relay that died after the broker's ack and before its UPDATE leaves behind: published, not marked
      Await.result(pool.query("UPDATE outbox SET sent_at = NULL").execute());
      Await.result(vertx.deployVerticle(new OutboxRelay(stamping)));
      List<ConsumerRecord<String, String>> records = reader.awaitCount(24, Duration.ofSeconds(30));
      assertThat(records).as("every event published twice").hasSize(24);
    }
    deployBridge(vertx);

    Await.until("12 effects", Duration.ofSeconds(60), () -> effects().size() >= 12);
    Thread.sleep(1_500); // the duplicates have been read by now
    assertThat(effects()).as("one effect per event").hasSize(12).doesNotHaveDuplicates();
    assertThat(Await.result(pool.preparedQuery("SELECT COUNT(*) FROM inbox WHERE consumer = ?")
      .execute(Tuple.of(CONSUMER))).iterator().next().getLong(0)).isEqualTo(12);
    assertThat(batches.stream().mapToInt(Integer::intValue).sum()).as("the duplicates reached the handler")
      .isGreaterThanOrEqualTo(24);
    Set<String> ids = Set.copyOf(events.stream().map(e -> e.id().toString()).toList());
    assertThat(ids).hasSize(12);
  }
}
