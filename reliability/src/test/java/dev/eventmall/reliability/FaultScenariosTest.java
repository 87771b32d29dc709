package dev.eventmall.reliability;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.toss.LedgerEntry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fast fault scenarios (CI): each a steady order load over the whole platform with one kind of fault injected, ending
 * with {@link Invariants}.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class FaultScenariosTest {

  @BeforeAll
  static void start() {
    Rel.platform();
  }

  @AfterEach
  void clearFaults() {
    Rel.toss().clearFaults();
    Rel.platform().emulators().carrier().clearFaults();
  }

  static long paid(Map<String, String> states) {
    return states.values().stream().filter(Invariants.PAID::contains).count();
  }

  @Test
  void toss5xxOnThirtyPercentOfCallsChargesEveryPaidOrderExactlyOnce() {
    Load.World world = Load.World.create(3, 30, 4);
    long dlq = Invariants.dlqNow();
    // 30% of every Toss API call answers 500 after doing the work: the client cannot tell whether it charged
    Rel.toss().faults(Faults.none().withErrors(0.3, Faults.DEFAULT_ERROR_CODE, 500).withErrorApplyEffect(true));
    Figures.fault("Toss 30% 5xx (effect applied) during the load");
    List<Load.Placed> placed = Load.run(world, 24, 3, 150, i -> { });
    Map<String, String> states = Invariants.check(world, placed, dlq);
    assertThat(paid(states)).as("orders paid despite the 5xx").isPositive();
  }

  @Test
  void aTossOutageMidLoadIsWaitedOutOrFailedCleanlyAndTheLoadRecovers() {
    Load.World world = Load.World.create(3, 30, 4);
    long dlq = Invariants.dlqNow();
    CompletableFuture<Void> outage = new CompletableFuture<>();
    List<Load.Placed> placed = Load.run(world, 24, 2, 250, i -> {
      if (i == 6) {
        CompletableFuture.runAsync(() -> {
          Rel.toss().faults(Faults.none().withOutage(Faults.Outage.SERVICE_UNAVAILABLE));
          Figures.fault("Toss full outage (503) for 6 s mid-load");
          Load.sleep(6_000);
          Rel.toss().clearFaults();
        }).whenComplete((v, e) -> outage.complete(null));
      }
    });
    outage.join();
    Map<String, String> states = Invariants.check(world, placed, dlq);
    // orders placed after Toss came back are paid
    assertThat(paid(states)).as("orders paid once Toss is back").isPositive();
  }

  @Test
  void everyRecordOfTheSagaTopicsDeliveredAgainFromOffsetZeroChangesNothing() throws Exception {
    Load.World world = Load.World.create(2, 20, 3);
    long dlq = Invariants.dlqNow();
    List<Load.Placed> placed = Load.run(world, 12, 2, 150, i -> { });
    Invariants.awaitTerminal(placed);
    Map<String, String> before = Invariants.check(world, placed, dlq);
    Map<String, Integer> stockBefore = new HashMap<>();
    world.initialStock().keySet().forEach(id -> stockBefore.put(id, Rel.stockOf(id)));
    int ledgerBefore = Rel.toss().ledger().size();
    Map<String, Long> rowsBefore = SecuritySweepTest.quietTableCounts();
    // the events published so far (the outboxes delete theirs once published, so their row counts show none)
    Map<String, Set<String>> eventsBefore;
    try (Admin admin = Stores.admin()) {
      eventsBefore = Stores.eventIds(admin, Stores.PRODUCER.keySet());
    }

    // every record of the saga topics, this scenario's and the earlier ones', delivered again, after newer records
    long replayed = replay(List.of("order.events", "catalog.stock", "payment.events", "delivery.events"));
    Figures.fault("replayed " + replayed + " saga records from offset 0 (duplicated and reordered deliveries)");
    assertThat(replayed).isGreaterThanOrEqualTo(placed.size());

    Map<String, String> after = Invariants.check(world, placed, dlq);
    assertThat(after).isEqualTo(before);
    world.initialStock().keySet().forEach(id -> assertThat(Rel.stockOf(id)).as("stock of %s", id)
      .isEqualTo(stockBefore.get(id)));
    List<LedgerEntry> newEntries = Rel.toss().ledger().subList(ledgerBefore, Rel.toss().ledger().size());
    assertThat(newEntries).as("Toss ledger entries made by the replay").isEmpty();
    assertThat(Stores.tableCounts()).as("rows of every table").isEqualTo(rowsBefore);
    try (Admin admin = Stores.admin()) {
      assertThat(Stores.eventIds(admin, Stores.PRODUCER.keySet()))
        .as("the events on every topic (distinct ids: the replayed copies are the same events)").isEqualTo(eventsBefore);
    }
  }

  @Test
  void eachSagaServiceRestartedMidLoadResumesItsSagasWithoutDuplicates() {
    Load.World world = Load.World.create(3, 30, 4);
    long dlq = Invariants.dlqNow();
    CompletableFuture<Void> restarts = new CompletableFuture<>();
    List<Load.Placed> placed = Load.run(world, 24, 2, 250, i -> {
      if (i == 4) {
        Load.inBackground(restarts, () -> {
          for (String service : List.of("payment", "catalog", "order", "delivery")) {
            Figures.fault("restart of the " + service + " service mid-saga");
            Rel.platform().restart(service);
            Load.sleep(1_000);
          }
        });
      }
    });
    restarts.join();
    Map<String, String> states = Invariants.check(world, placed, dlq);
    assertThat(paid(states)).as("orders paid across the restarts").isPositive();
  }

  /** Copies every record of {@code topics} (up to their current end) to the end of the same partition; answers how many. */
  static long replay(List<String> topics) throws Exception {
    Map<String, Object> consumerConfig = Map.of(
      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Rel.kafka(),
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Object> producerConfig = Map.of(
      ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Rel.kafka(),
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
      ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
      ProducerConfig.ACKS_CONFIG, "all");
    Map<TopicPartition, Long> ends;
    try (var admin = Stores.admin()) {
      ends = Stores.endOffsets(admin, topics);
    }
    long copied = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
         KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      Map<TopicPartition, Long> left = new HashMap<>(ends);
      left.values().removeIf(end -> end == 0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long end = left.get(tp);
          if (end == null || r.offset() >= end) {
            continue;
          }
          producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers()));
          copied++;
        }
        left.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
      producer.flush();
      assertThat(left).as("partitions not fully replayed").isEmpty();
    }
    return copied;
  }
}
