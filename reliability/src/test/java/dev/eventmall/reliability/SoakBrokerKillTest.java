package dev.eventmall.reliability;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.infra.KafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Soak only ({@code -Psoak}, a JVM per test class): the platform over a 3-broker KRaft cluster (RF 3,
 * min.insync.replicas 2); one broker SIGKILLed mid-load and restarted 10 s later: no loss, the load goes on.
 */
@Tag("soak")
@Needs({Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class SoakBrokerKillTest {
  static KafkaCluster cluster;

  @BeforeAll
  static void start() {
    cluster = KafkaCluster.start(KafkaCluster.Options.defaults().brokers(3));
    Rel.useKafka(cluster.bootstrapServers());
    Rel.platform();
  }

  @AfterAll
  static void stop() {
    // the platform stops at JVM exit (a hook); the cluster after it would leave the services retrying, so kill it last
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "soak-kafka-stop"));
  }

  @Test
  void oneOfThreeBrokersKilledMidLoadLosesNothingAndTheLoadGoesOn() {
    Load.World world = Load.World.create(3, 40, 6);
    long dlq = Invariants.dlqNow();
    CompletableFuture<Void> fault = new CompletableFuture<>();
    List<Load.Placed> placed = Load.run(world, 60, 3, 200, i -> {
      if (i == 12) {
        Load.inBackground(fault, () -> {
          cluster.kill(1);
          Figures.fault("Kafka broker " + cluster.nodeId(1) + " of 3 SIGKILLed mid-load");
          Load.sleep(10_000);
          cluster.restart(1);
        });
      }
    });
    fault.join();
    Map<String, String> states = Invariants.check(world, placed, dlq);
    assertThat(states.values().stream().filter(Invariants.PAID::contains).count()).isPositive();
  }
}
