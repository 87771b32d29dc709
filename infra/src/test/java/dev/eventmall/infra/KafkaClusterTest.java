package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaClusterTest {

  @Test
  void oneBrokerProducesAndConsumes() throws Exception {
    try (KafkaCluster kafka = KafkaCluster.start()) {
      try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
        producer.send(new ProducerRecord<>("smoke", "order-1", "hello")).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers())) {
        consumer.subscribe(List.of("smoke"));
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        }
        assertEquals(1, received.size(), "records received within 30 s");
        assertEquals("order-1", received.get(0).key());
        assertEquals("hello", received.get(0).value());
      }
    }
  }

  @Test
  void threeBrokersSurviveTheLossOfOne() throws Exception {
    try (KafkaCluster kafka = KafkaCluster.start(KafkaCluster.Options.defaults().brokers(3));
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertEquals(3, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
      admin.createTopics(List.of(new NewTopic("orders", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);

      kafka.kill(2);
      assertFalse(kafka.isRunning(2));
      try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
        for (int i = 0; i < 10; i++) {
          RecordMetadata sent = producer.send(new ProducerRecord<>("orders", "order-" + i, "placed"))
              .get(60, TimeUnit.SECONDS);
          assertTrue(sent.offset() >= 0);
        }
      }

      kafka.restart(2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean fullIsr = false;
      while (!fullIsr && System.nanoTime() < deadline) {
        TopicDescription topic = admin.describeTopics(Set.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS)
            .get("orders");
        fullIsr = topic.partitions().stream().allMatch(p -> p.isr().size() == 3);
        if (!fullIsr) {
          Thread.sleep(200);
        }
      }
      assertTrue(fullIsr, "restarted broker back in every ISR within 60 s");
      assertEquals(3, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
    }
  }

  static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  static KafkaConsumer<String, String> consumer(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }
}
