package dev.eventmall.common.kafka;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic creation over a real broker: the partition count is a setting, and an existing topic is left as it is. */
@ExtendWith(VertxExtension.class)
@Needs(Infra.KAFKA)
class KafkaTopicsTest {

  @Test
  void newTopicsGetTheConfiguredPartitionsAndExistingOnesKeepTheirs(Vertx vertx) throws Exception {
    String kafka = TestInfra.kafka();
    String a = "test.topics.a." + UUID.randomUUID();
    String b = "test.topics.b." + UUID.randomUUID();
    assertThat(KafkaTopics.partitions(Config.of(Map.of()))).as("default").isEqualTo(3);
    int six = KafkaTopics.partitions(Config.of(Map.of(KafkaTopics.PARTITIONS, "6")));
    assertThat(six).isEqualTo(6);

    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(a), KafkaTopics.partitions(Config.of(Map.of())), 3));
    Await.result(KafkaTopics.ensure(vertx, kafka, List.of(a, b), six, 3));

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      Map<String, TopicDescription> topics = admin.describeTopics(List.of(a, b)).allTopicNames().get();
      assertThat(topics.get(b).partitions()).as("created with the setting").hasSize(6);
      assertThat(topics.get(a).partitions()).as("existing: not repartitioned (keyed order)").hasSize(3);
    }
  }
}
