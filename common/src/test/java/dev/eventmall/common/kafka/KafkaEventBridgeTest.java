package dev.eventmall.common.kafka;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.http.HttpBootstrap;
import io.vertx.ext.auth.jwt.JWTAuth;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.common.metrics.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.VertxOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kafka → event-bus bridge, its retries and its dead-letter topic, over a real Kafka broker. */
@ExtendWith(VertxExtension.class)
@Needs({Infra.KAFKA})
class KafkaEventBridgeTest {
  static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(150), Duration.ofSeconds(1));

  String kafka;
  String topic;
  String group;
  KafkaProducer<String, String> producer;
  WebClient client;

  /** Per event id: the times (ms) each delivery reached the handler. */
  final Map<String, List<Long>> calls = new ConcurrentHashMap<>();
  /** Event ids in the order the handler acknowledged them. */
  final List<String> handled = new CopyOnWriteArrayList<>();
  final AtomicBoolean poisonHealed = new AtomicBoolean();

  @BeforeEach
  void setUp(Vertx vertx) {
    kafka = TestInfra.kafka();
    topic = "test.bridge." + UUID.randomUUID();
    group = "bridge-test-" + UUID.randomUUID();
    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(topic, Topics.dlq(topic)), 3, 1));
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(props);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));

    // the domain side: Flaky fails twice then succeeds, Doomed fails until healed, the rest succeed
    EventHandlers.register(vertx, group, topic, event -> {
      String id = event.id().toString();
      List<Long> times = calls.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
      times.add(System.currentTimeMillis());
      String note = event.payload().getString("note", "");
      if (note.equals("flaky") && times.size() <= 2) {
        return Future.failedFuture("flaky failure #" + times.size());
      }
      if (note.equals("store down") && times.size() <= 2 * RETRY.maxAttempts()) {
        // what the MySQL pool answers while the database restarts
        return Future.failedFuture(new java.net.ConnectException("Connection refused: /127.0.0.1:3306"));
      }
      if (note.equals("not yet") && times.size() <= 2 * RETRY.maxAttempts()) {
        // what delivery answers for a PaymentCompleted whose OrderPlaced it has not read yet
        return Future.failedFuture(new NotYet("PaymentCompleted before its OrderPlaced"));
      }
      if (note.equals("doomed") && !poisonHealed.get()) {
        return Future.failedFuture(new IllegalStateException("doomed to fail"));
      }
      handled.add(id);
      return Future.succeededFuture();
    });
  }

  @AfterEach
  void tearDown() {
    producer.close();
    client.close();
  }

  EventEnvelope send(String key, String note) throws Exception {
    EventEnvelope e = EventEnvelope.of("TestHappened", key, new JsonObject().put("n", 1).put("note", note));
    producer.send(new ProducerRecord<>(topic, key, e.toJson().encode())).get();
    return e;
  }

  String deployBridge(Vertx vertx) {
    return Await.result(vertx.deployVerticle(() -> new KafkaEventBridge(
      new KafkaEventBridge.Options(kafka, group, List.of(topic)).withRetry(RETRY)), new DeploymentOptions()));
  }

  @Test
  void aHandlerFailingTwiceIsRetriedWithBackoffThenAcknowledged(Vertx vertx) throws Exception {
    EventEnvelope flaky = send("a", "flaky");
    EventEnvelope after = send("a", "after the flaky one, same key");
    deployBridge(vertx);

    Await.until("both handled", Duration.ofSeconds(30), () -> handled.size() == 2);
    assertThat(handled).containsExactly(flaky.id().toString(), after.id().toString());
    List<Long> times = calls.get(flaky.id().toString());
    assertThat(times).hasSize(3);
    assertThat(times.get(1) - times.get(0)).as("first backoff").isGreaterThanOrEqualTo(150);
    assertThat(times.get(2) - times.get(1)).as("second backoff doubles").isGreaterThanOrEqualTo(300);
    assertThat(calls.get(after.id().toString())).hasSize(1);
  }

  @Test
  void aHandlerThatCannotReachItsStoreWaitsForItBeyondTheAttemptsAndIsNotParked(Vertx vertx) throws Exception {
    EventEnvelope waiting = send("s", "store down");
    EventEnvelope after = send("s", "after it, same key");
    deployBridge(vertx);

    Await.until("both handled", Duration.ofSeconds(30), () -> handled.size() == 2);
    assertThat(handled).containsExactly(waiting.id().toString(), after.id().toString());
    assertThat(calls.get(waiting.id().toString())).as("calls: twice the attempts failed, then one succeeded")
      .hasSize(2 * RETRY.maxAttempts() + 1);
    assertThat(parkedCount()).as("records parked").isZero();
  }

  /**
   * An event that came before the one it depends on (a consumer lagging on another topic) is retried beyond its
   * attempts and handled once it applies, not parked: at 400 orders/s delivery parked PaymentCompleted events this way
   * and left their orders PAID.
   */
  @Test
  void anEventThatIsNotApplicableYetWaitsBeyondTheAttemptsAndIsNotParked(Vertx vertx) throws Exception {
    EventEnvelope early = send("n", "not yet");
    EventEnvelope after = send("n", "after it, same key");
    deployBridge(vertx);

    Await.until("both handled", Duration.ofSeconds(30), () -> handled.size() == 2);
    assertThat(handled).containsExactly(early.id().toString(), after.id().toString());
    assertThat(calls.get(early.id().toString())).as("calls: twice the attempts answered not yet, then it applied")
      .hasSize(2 * RETRY.maxAttempts() + 1);
    assertThat(parkedCount()).as("records parked").isZero();
  }

  long parkedCount() {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
           new org.apache.kafka.clients.consumer.KafkaConsumer<>(props)) {
      List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(Topics.dlq(topic)).stream()
        .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The operator who sees a parked event on the DLQ finds the bridge's line about it by the event's trace id. */
  @Test
  void theParkingLineCarriesTheParkedEventsTraceId(Vertx vertx) throws Exception {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String traceparent = "00-" + traceId + "-b7ad6b7169203331-01";
    EventEnvelope doomed = EventEnvelope.of("TestHappened", "b", new JsonObject().put("note", "doomed"))
      .withTraceparent(traceparent);
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, "b", doomed.toJson().encode());
    record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    try (LogCapture bridge = LogCapture.json(KafkaEventBridge.class.getName())) {
      producer.send(record).get();
      deployBridge(vertx);
      Await.until("the parking line", Duration.ofSeconds(30),
        () -> bridge.lines().stream().anyMatch(l -> l.getString("message").contains("parking")));
      JsonObject line = bridge.lines().stream().filter(l -> l.getString("message").contains("parking")).findFirst()
        .orElseThrow();
      assertThat(line.getString("level")).isEqualTo("WARN");
      assertThat(line.getString("traceId")).isEqualTo(traceId);
      assertThat(line.getString("message")).contains(group, topic, "after 3 attempts", "doomed to fail");
    }
  }

  @Test
  void anAlwaysFailingEventIsParkedWithHeadersTheConsumerMovesOnAndReplayRedeliversIt(Vertx vertx) throws Exception {
    EventEnvelope doomed = send("b", "doomed");
    List<EventEnvelope> rest = IntStream.range(0, 5).mapToObj(i -> {
      try {
        return send(i % 2 == 0 ? "b" : "c", "fine " + i);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }).toList();
    producer.send(new ProducerRecord<>(topic, "d", "this is { not an envelope")).get();
    deployBridge(vertx);

    Await.until("the others handled", Duration.ofSeconds(30), () -> handled.size() == rest.size());
    assertThat(calls.get(doomed.id().toString())).hasSize(RETRY.maxAttempts());

    try (TopicReader dlq = new TopicReader(kafka, Topics.dlq(topic))) {
      List<ConsumerRecord<String, String>> parked = dlq.awaitCount(2, Duration.ofSeconds(30));
      ConsumerRecord<String, String> doomedRecord = parked.stream().filter(r -> r.value().contains(doomed.id().toString()))
        .findFirst().orElseThrow();
      assertThat(doomedRecord.key()).isEqualTo("b");
      assertThat(header(doomedRecord, KafkaEventBridge.H_TOPIC)).isEqualTo(topic);
      assertThat(header(doomedRecord, KafkaEventBridge.H_PARTITION)).matches("[0-2]");
      assertThat(header(doomedRecord, KafkaEventBridge.H_OFFSET)).isEqualTo("0");
      assertThat(header(doomedRecord, KafkaEventBridge.H_GROUP)).isEqualTo(group);
      assertThat(header(doomedRecord, KafkaEventBridge.H_ATTEMPTS)).isEqualTo("3");
      assertThat(header(doomedRecord, KafkaEventBridge.H_EXCEPTION)).contains("doomed to fail");
      ConsumerRecord<String, String> poison = parked.stream().filter(r -> "d".equals(r.key())).findFirst().orElseThrow();
      assertThat(header(poison, KafkaEventBridge.H_ATTEMPTS)).isEqualTo("0");
      assertThat(header(poison, KafkaEventBridge.H_EXCEPTION)).contains("not JSON");
    }

    // the group committed past everything: nothing is redelivered on restart
    Await.until("offsets committed", Duration.ofSeconds(20), () -> {
      Map<TopicPartition, Long> committed = TopicReader.committed(kafka, group,
        IntStream.range(0, 3).mapToObj(p -> new TopicPartition(topic, p)).toList());
      return committed.values().stream().mapToLong(o -> Math.max(o, 0)).sum() == rest.size() + 2;
    });

    // the admin endpoints list both parked records; a replay of the doomed event now succeeds
    DeadLetters deadLetters = new DeadLetters(vertx, new KafkaEventBridge.Options(kafka, group, List.of(topic))
      .withRetry(RETRY));
    JWTAuth jwt = Jwt.hs256(vertx, "a-test-secret-that-is-at-least-32-chars");
    TokenIssuer tokens = TokenIssuer.create(jwt, Jwt.HS256, 300);
    String admin = tokens.issue("admin-1", List.of(AuthPrincipal.ADMIN));
    Router router = HttpBootstrap.builder(vertx).build();
    deadLetters.mount(router, "/admin/dlq", AuthHandlers.bearer(jwt), AuthHandlers.requireRole(AuthPrincipal.ADMIN));
    HttpServer server = Await.result(HttpBootstrap.listen(vertx, router, 0));
    int port = server.actualPort();

    HttpResponse<Buffer> anonymous = Await.result(client.get(port, "127.0.0.1", "/admin/dlq").send());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.getHeader("Content-Type")).startsWith("application/problem+json");
    HttpResponse<Buffer> customer = Await.result(client.post(port, "127.0.0.1", "/admin/dlq/replay")
      .bearerTokenAuthentication(tokens.issue("c-1", List.of(AuthPrincipal.CUSTOMER))).send());
    assertThat(customer.statusCode()).isEqualTo(403);
    assertThat(customer.getHeader("Content-Type")).startsWith("application/problem+json");

    HttpResponse<Buffer> list = Await.result(client.get(port, "127.0.0.1", "/admin/dlq")
      .bearerTokenAuthentication(admin).send());
    assertThat(list.statusCode()).isEqualTo(200);
    JsonObject body = list.bodyAsJsonObject();
    assertThat(body.getInteger("total")).isEqualTo(2);
    JsonObject doomedItem = body.getJsonArray("items").stream().map(JsonObject.class::cast)
      .filter(i -> doomed.id().toString().equals(i.getJsonObject("event") == null ? null
        : i.getJsonObject("event").getString("id")))
      .findFirst().orElseThrow();
    assertThat(doomedItem.getString("topic")).isEqualTo(topic);
    assertThat(doomedItem.getInteger("attempts")).isEqualTo(3);

    // still failing: the replay is refused and the event stays parked
    HttpResponse<Buffer> refused = Await.result(client.post(port, "127.0.0.1",
      "/admin/dlq/" + doomedItem.getString("id") + "/replay").bearerTokenAuthentication(admin).send());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("doomed to fail");

    poisonHealed.set(true);
    HttpResponse<Buffer> replayed = Await.result(client.post(port, "127.0.0.1",
      "/admin/dlq/" + doomedItem.getString("id") + "/replay").bearerTokenAuthentication(admin).send());
    assertThat(replayed.statusCode()).isEqualTo(200);
    assertThat(handled).contains(doomed.id().toString());

    JsonObject after = Await.result(client.get(port, "127.0.0.1", "/admin/dlq").bearerTokenAuthentication(admin).send())
      .bodyAsJsonObject();
    assertThat(after.getInteger("total")).isEqualTo(1);
    assertThat(after.getJsonArray("items").getJsonObject(0).getString("error")).contains("not JSON");

    HttpResponse<Buffer> missing = Await.result(client.post(port, "127.0.0.1",
      "/admin/dlq/" + doomedItem.getString("id") + "/replay").bearerTokenAuthentication(admin).send());
    assertThat(missing.statusCode()).as("an event already replayed is no longer parked").isEqualTo(404);
  }

  static String header(ConsumerRecord<String, String> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void theConsumerLagGaugeCountsWhatIsNotCommittedYetAndFallsToZero() throws Exception {
    Metrics metrics = Metrics.create("lag-test");
    Vertx own = metrics.newVertx(new VertxOptions());
    try {
      String lagGroup = "bridge-lag-" + UUID.randomUUID();
      Promise<Void> release = Promise.promise();
      EventHandlers.register(own, lagGroup, topic, event -> release.future());
      for (int i = 0; i < 4; i++) {
        send("lag-" + i, "held");
      }
      Await.result(own.deployVerticle(() -> new KafkaEventBridge(
        new KafkaEventBridge.Options(kafka, lagGroup, List.of(topic)).withRetry(RETRY)), new DeploymentOptions()));
      Await.until("lag 4 while the handler holds the batch", Duration.ofSeconds(30), () ->
        lag(metrics, lagGroup) == 4.0);
      assertThat(metrics.prometheusRegistry().scrape()).contains("eventmall_kafka_consumer_lag{")
        .contains("group=\"" + lagGroup + "\"").contains("topic=\"" + topic + "\"");
      own.runOnContext(v -> release.tryComplete());
      Await.until("lag 0 once committed", Duration.ofSeconds(30), () -> lag(metrics, lagGroup) == 0.0);
    } finally {
      Await.result(own.close());
    }
  }

  /**
   * What an operator reads on {@code /metrics}: {@code eventmall_dlq_unreplayed} is 1 once the group parked an event,
   * stays 1 while it is parked, and falls to 0 after {@code POST /admin/dlq/replay} handed it back successfully (the
   * alert DeadLetterParked reads it).
   */
  @Test
  void theUnreplayedGaugeCountsAParkedEventUntilItIsReplayed() throws Exception {
    Metrics metrics = Metrics.create("dlq-test");
    Vertx own = metrics.newVertx(new VertxOptions());
    try {
      String dlqGroup = "bridge-dlq-" + UUID.randomUUID();
      AtomicBoolean healed = new AtomicBoolean();
      EventHandlers.register(own, dlqGroup, topic, event -> healed.get() ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("doomed to fail")));
      KafkaEventBridge.Options options = new KafkaEventBridge.Options(kafka, dlqGroup, List.of(topic)).withRetry(RETRY);
      Router root = HttpBootstrap.builder(own).metrics(metrics).build();
      new DeadLetters(own, options).mount(root, "/admin/dlq");
      int port = Await.result(HttpBootstrap.listen(own, root, 0)).actualPort();
      Await.result(own.deployVerticle(() -> new KafkaEventBridge(options), new DeploymentOptions()));
      java.util.function.DoubleSupplier unreplayed = () -> {
        List<String> lines = Await.result(client.get(port, "127.0.0.1", "/metrics").send()).bodyAsString().lines()
          .filter(l -> l.startsWith("eventmall_dlq_unreplayed{")).toList();
        assertThat(lines).hasSizeLessThanOrEqualTo(1);
        assertThat(lines).allSatisfy(l -> assertThat(l).contains("group=\"" + dlqGroup + "\"")
          .contains("topic=\"" + topic + "\""));
        return lines.isEmpty() ? Double.NaN : Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1));
      };
      Await.until("the gauge reads 0 before anything is parked", Duration.ofSeconds(30),
        () -> unreplayed.getAsDouble() == 0.0);

      send("a", "doomed");
      Await.until("1 unreplayed once the event is parked", Duration.ofSeconds(30), () -> unreplayed.getAsDouble() == 1.0);
      Thread.sleep(1_000);
      assertThat(unreplayed.getAsDouble()).as("still parked").isEqualTo(1.0);

      healed.set(true);
      HttpResponse<Buffer> replay = Await.result(client.post(port, "127.0.0.1", "/admin/dlq/replay").send());
      assertThat(replay.statusCode()).as(replay.bodyAsString()).isEqualTo(200);
      assertThat(replay.bodyAsJsonObject().getJsonArray("stillParked")).isEmpty();
      Await.until("0 unreplayed after the replay", Duration.ofSeconds(30), () -> unreplayed.getAsDouble() == 0.0);
    } finally {
      Await.result(own.close());
    }
  }

  @Test
  void aSlowRecordHoldsBackOnlyItsKeyAndItsPartitionsCommitPointNotRecordsPolledAfterIt() throws Exception {
    Vertx own = Vertx.vertx();
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
      Map.of("bootstrap.servers", kafka))) {
      String slowGroup = "bridge-slow-" + UUID.randomUUID();
      Promise<Void> release = Promise.promise();
      List<String> seen = new CopyOnWriteArrayList<>();
      EventHandlers.register(own, slowGroup, topic, event -> {
        seen.add(event.payload().getString("note"));
        return event.payload().getString("note").equals("slow") ? release.future() : Future.succeededFuture();
      });
      // everything on partition 0: the slow record first, the others only once it is being handled (a later poll)
      EventEnvelope slow = EventEnvelope.of("TestHappened", "k-slow", new JsonObject().put("n", 1).put("note", "slow"));
      long slowOffset = producer.send(new ProducerRecord<>(topic, 0, "k-slow", slow.toJson().encode())).get().offset();
      Await.result(own.deployVerticle(() -> new KafkaEventBridge(
        new KafkaEventBridge.Options(kafka, slowGroup, List.of(topic)).withRetry(RETRY)), new DeploymentOptions()));
      Await.until("the slow record reached its handler", Duration.ofSeconds(30), () -> seen.contains("slow"));

      for (int i = 0; i < 3; i++) {
        EventEnvelope e = EventEnvelope.of("TestHappened", "k-" + i, new JsonObject().put("n", 1).put("note", "fast-" + i));
        producer.send(new ProducerRecord<>(topic, 0, "k-" + i, e.toJson().encode())).get();
      }
      EventEnvelope sameKey = EventEnvelope.of("TestHappened", "k-slow", new JsonObject().put("n", 1).put("note", "after-slow"));
      producer.send(new ProducerRecord<>(topic, 0, "k-slow", sameKey.toJson().encode())).get();

      Await.until("records of other keys polled after the slow one are handled while it is in flight",
        Duration.ofSeconds(30), () -> seen.containsAll(List.of("fast-0", "fast-1", "fast-2")));
      Thread.sleep(3 * KafkaEventBridge.COMMIT_INTERVAL_MS + 500);
      assertThat(seen).as("the same key waits for the slow record").doesNotContain("after-slow");
      TopicPartition p0 = new TopicPartition(topic, 0);
      var committed = admin.listConsumerGroupOffsets(slowGroup).partitionsToOffsetAndMetadata().get().get(p0);
      assertThat(committed == null ? 0 : committed.offset()).as("partition 0 not committed past the slow record")
        .isLessThanOrEqualTo(slowOffset);

      own.runOnContext(v -> release.tryComplete());
      Await.until("the same key goes on after the slow record", Duration.ofSeconds(30), () -> seen.contains("after-slow"));
      assertThat(seen.indexOf("after-slow")).isGreaterThan(seen.indexOf("slow"));
      Await.until("partition 0 committed to its end", Duration.ofSeconds(30), () -> {
        try {
          var c = admin.listConsumerGroupOffsets(slowGroup).partitionsToOffsetAndMetadata().get().get(p0);
          return c != null && c.offset() == slowOffset + 5;
        } catch (Exception e) {
          return false;
        }
      });
    } finally {
      Await.result(own.close());
    }
  }

  static double lag(Metrics metrics, String group) {
    Gauge gauge = metrics.registry().find("eventmall.kafka.consumer.lag").tag("group", group).gauge();
    return gauge == null ? -1 : gauge.value();
  }
}
