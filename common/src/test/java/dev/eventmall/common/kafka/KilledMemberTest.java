package dev.eventmall.common.kafka;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer process that is SIGKILLed never leaves its group: its partitions wait for its session to time out. With
 * Kafka's default (45 s) a killed replica's share of the saga stood still that long; {@link KafkaConfig#consumer} sets
 * {@value KafkaConfig#DEFAULT_SESSION_TIMEOUT_MS} ms. A second JVM joins a group with our consumer settings, takes
 * partitions, and is killed; the survivor here must own every partition well before 45 s.
 */
@ExtendWith(VertxExtension.class)
@Needs(Infra.KAFKA)
class KilledMemberTest {

  /** The member that will be killed: joins {@code group} on {@code topic}, says which partitions it got, polls on. */
  public static void main(String[] args) {
    try (KafkaConsumer<String, ?> consumer = new KafkaConsumer<>(new HashMap<>(KafkaConfig.consumer(args[0], args[1])))) {
      consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          System.out.println("ASSIGNED " + partitions.size());
          System.out.flush();
        }
      });
      while (true) {
        consumer.poll(Duration.ofMillis(200));
      }
    }
  }

  @Test
  void aKilledMembersPartitionsGoToTheSurvivorWithinTheShortSession(Vertx vertx) throws Exception {
    String kafka = TestInfra.kafka();
    String topic = "test.killed." + UUID.randomUUID();
    String group = "killed-" + UUID.randomUUID();
    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(topic), 4, 1));

    Process doomed = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx128m",
      "-cp", System.getProperty("java.class.path"), KilledMemberTest.class.getName(), kafka, group, topic)
      .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(doomed.getInputStream(), StandardCharsets.UTF_8));
      Set<TopicPartition> mine = ConcurrentHashMap.newKeySet();
      try (KafkaConsumer<String, ?> survivor = new KafkaConsumer<>(new HashMap<>(KafkaConfig.consumer(kafka, group)))) {
        // the doomed member first holds all four partitions ...
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ASSIGNED 4")) {
          System.out.println("doomed: " + line);
        }
        assertThat(line).as("the second JVM joined the group").isNotNull();
        survivor.subscribe(List.of(topic), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            mine.removeAll(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            mine.addAll(partitions);
          }
        });
        // ... then shares them with the survivor
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (mine.isEmpty() || mine.size() == 4) {
          assertThat(System.nanoTime()).as("the group shared its partitions").isLessThan(until);
          survivor.poll(Duration.ofMillis(100));
        }
        assertThat(mine.size()).isBetween(1, 3);

        doomed.destroyForcibly(); // SIGKILL: no LeaveGroup, no close
        assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();
        until = killed + TimeUnit.SECONDS.toNanos(60);
        while (mine.size() < 4 && System.nanoTime() < until) {
          survivor.poll(Duration.ofMillis(100));
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
        System.out.println("# FIGURES the survivor owned every partition " + seconds + " s after the SIGKILL");
        assertThat(mine).as("every partition, after the killed member's session timed out").hasSize(4);
        // the session (10 s) plus a rebalance; Kafka's default session alone is 45 s
        assertThat(seconds).isLessThan(25);
      }
    } finally {
      doomed.destroyForcibly();
    }
  }
}
